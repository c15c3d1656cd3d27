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
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
    List<Callable<Object>> orgs = orgIds.stream().<Callable<Object>>map(org -> () -> {
      accounts.createOrg(CreateOrgRequest.newBuilder().setOrgId(org).setRequestId("bench-create-" + org).setPlan("payg").build());
      return accounts.grantCredits(GrantCreditsRequest.newBuilder().setOrgId(org).setRequestId("bench-grant-" + org)
          .setKind(GrantKind.PURCHASE).setAmount(microCreditsEach).build());
    }).toList();
    ExecutorService setup = Executors.newFixedThreadPool(SETUP_CONCURRENCY);
    try {
      for (Future<Object> done : setup.invokeAll(orgs)) done.get();
    } finally {
      setup.shutdownNow();
    }
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

  static String reasonOf(Throwable failure) {
    if (failure instanceof TallyException tally) {
      return tally.reason() == ErrorReason.ERROR_REASON_UNSPECIFIED ? tally.code().name() : tally.reason().name();
    }
    if (failure instanceof StatusRuntimeException status) return status.getStatus().getCode().name();
    Status status = Status.fromThrowable(failure);
    return status.getCode() == Status.Code.UNKNOWN ? failure.getClass().getSimpleName() : status.getCode().name();
  }

  @Override
  public void close() {
    client.close();
  }
}
