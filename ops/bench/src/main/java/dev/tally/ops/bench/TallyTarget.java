package dev.tally.ops.bench;

import dev.tally.client.AccountsClient;
import dev.tally.client.Reservation;
import dev.tally.client.TallyClient;
import dev.tally.client.TallyException;
import dev.tally.client.Usage;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.ErrorReason;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.ReserveRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tally, driven the way an AI service drives it: through the SDK's async calls. Nothing here blocks in a callback,
 * so results complete on the transport's threads (the SDK's fast setting).
 */
public final class TallyTarget implements Target {

  private static final int SETUP_CONCURRENCY = 64;

  private record TallyHold(Reservation reservation) implements Hold {}

  private final TallyClient client;

  /** Drives the node at {@code address} with {@code apiKey}, an admin key (it opens orgs and grants to them). */
  public TallyTarget(String address, String apiKey) {
    this.client = TallyClient.builder()
        .nodes(address)
        .apiKey(apiKey)
        .defaultDeadline(Duration.ofSeconds(30))
        .callbacksOnTransportThreads()
        .build();
  }

  @Override
  public String name() {
    return "tally";
  }

  /** Opens each org on the payg plan (no trial, no rate limits) and grants it purchased credits. */
  @Override
  public void prepare(List<String> orgIds, long microCreditsEach) throws Exception {
    AccountsClient accounts = client.accounts();
    List<String> left = orgIds;
    // Requests with fixed ids: an org whose setup failed (a fresh node under the setup's burst) is set up again at
    // most twice, and an org set up already is answered as it was.
    for (int round = 1; !left.isEmpty(); round++) {
      Map<String, Throwable> failed = new ConcurrentHashMap<>();
      List<String> these = left;
      Runner.atMost(SETUP_CONCURRENCY, these.size(), i -> openAndFund(accounts, these.get(i), microCreditsEach)
          .whenComplete((ok, failure) -> {
            if (failure != null) failed.put(these.get(i), failure);
          }));
      if (failed.isEmpty()) return;
      if (round == 3) {
        throw new IllegalStateException(failed.size() + " of " + orgIds.size() + " orgs could not be opened and funded, e.g. "
            + failed.values().iterator().next());
      }
      left = List.copyOf(failed.keySet());
    }
  }

  private static CompletableFuture<?> openAndFund(AccountsClient accounts, String orgId, long microCredits) {
    return accounts.createOrgAsync(CreateOrgRequest.newBuilder()
            .setOrgId(orgId).setRequestId("bench-create-" + orgId).setPlan("payg").build())
        .thenCompose(org -> accounts.grantCreditsAsync(GrantCreditsRequest.newBuilder().setOrgId(org.getOrgId())
            .setRequestId("bench-grant-" + org.getOrgId()).setKind(GrantKind.PURCHASE).setAmount(microCredits).build()));
  }

  @Override
  public CompletableFuture<Hold> reserve(String orgId, long microCredits) {
    return client.reserveAsync(ReserveRequest.newBuilder().setOrgId(orgId).setAmount(microCredits).build())
        .<Hold>thenApply(TallyHold::new).exceptionally(TallyTarget::rethrowFailed);
  }

  @Override
  public CompletableFuture<Void> commit(Hold hold, long actual) {
    return ((TallyHold) hold).reservation().commitAsync(Usage.microCredits(actual))
        .<Void>thenApply(reply -> null).exceptionally(TallyTarget::rethrowFailed);
  }

  @Override
  public CompletableFuture<Void> charge(String orgId, long microCredits) {
    return client.chargeAsync(ChargeRequest.newBuilder().setOrgId(orgId).setAmount(microCredits).build())
        .<Void>thenApply(reply -> null).exceptionally(TallyTarget::rethrowFailed);
  }

  /** The balance read that recovery is timed by. */
  public CompletableFuture<Void> balance(String orgId) {
    return client.balanceAsync(orgId).<Void>thenApply(reply -> null).exceptionally(TallyTarget::rethrowFailed);
  }

  private static <T> T rethrowFailed(Throwable failure) {
    Throwable cause = Target.unwrap(failure);
    throw new Failed(reasonOf(cause), String.valueOf(cause.getMessage()), cause);
  }

  /** The SDK fails every call with a TallyException; anything else is a bug here, named by its class. */
  static String reasonOf(Throwable failure) {
    if (!(failure instanceof TallyException tally)) return failure.getClass().getSimpleName();
    return tally.reason() == ErrorReason.ERROR_REASON_UNSPECIFIED ? tally.code().name() : tally.reason().name();
  }

  @Override
  public void close() {
    client.close();
  }
}
