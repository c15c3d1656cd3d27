package dev.tally.ops.bench;

import com.google.protobuf.Duration;
import dev.tally.client.Reservation;
import dev.tally.client.TallyClient;
import dev.tally.client.Usage;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.Labels;
import dev.tally.v1.ReserveRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One org driven the way a careless or hostile client drives it (issue 16's load test), beside the measured
 * workload: first brought to the worst state the API allows — a period full of distinct labels, every hold it may
 * open, and debt with those holds still open — then hammered until closed by a few callers that keep sending new
 * labels, new holds, charges and balance reads. What it costs the other orgs is the measured workload's latency.
 */
final class Abuser implements AutoCloseable {

  /** Distinct model and call-type labels charged before the run: more than a period keeps apart. */
  static final int LABELED_CHARGES = 1_000;
  /** Holds opened before the run: as many as an org may have open (the node's documented bound). */
  static final int HOLDS = 10_000;
  private static final int SETUP_CONCURRENCY = 128;
  private static final Duration HOUR = Duration.newBuilder().setSeconds(3600).build();

  private final TallyClient client;
  private final String orgId;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicLong sequence = new AtomicLong();
  private final LongAdder sent = new LongAdder();
  private final LongAdder accepted = new LongAdder();
  private final List<Thread> callers = new ArrayList<>();

  Abuser(String address, String apiKey, String orgId) {
    this.client = TallyClient.builder().nodes(address).apiKey(apiKey)
        .defaultDeadline(java.time.Duration.ofSeconds(30)).callbacksOnTransportThreads().build();
    this.orgId = orgId;
  }

  /**
   * The worst state: exactly enough credits for the labelled charges and the holds, every one spent or held, then
   * one hold committed far above itself so the org owes with all the other holds still open.
   */
  void prepare() throws Exception {
    long grant = LABELED_CHARGES + HOLDS;
    client.accounts().createOrg(CreateOrgRequest.newBuilder()
        .setOrgId(orgId).setRequestId("abuse-create-" + orgId).setPlan("payg").build());
    client.accounts().grantCredits(GrantCreditsRequest.newBuilder().setOrgId(orgId).setRequestId("abuse-grant-" + orgId)
        .setKind(GrantKind.PURCHASE).setAmount(grant).build());
    long failed = Runner.atMost(SETUP_CONCURRENCY, LABELED_CHARGES, i -> client.chargeAsync(ChargeRequest.newBuilder()
        .setOrgId(orgId).setAmount(1).setLabels(distinct(i)).build()));
    List<Reservation> holds = new ArrayList<>(HOLDS);
    failed += Runner.atMost(SETUP_CONCURRENCY, HOLDS, i -> client.reserveAsync(ReserveRequest.newBuilder()
        .setOrgId(orgId).setAmount(1).setTtl(HOUR).build()).thenAccept(hold -> {
          synchronized (holds) {
            holds.add(hold);
          }
        }));
    if (failed > 0) throw new IllegalStateException(failed + " of the abused org's set-up operations failed");
    holds.get(0).commit(Usage.microCredits(LABELED_CHARGES));
    long debt = client.balance(orgId).getBalance().getDebt();
    System.out.printf("abused org %s: %,d labelled charges, %,d holds open, debt %,d µcr%n", orgId, LABELED_CHARGES,
        HOLDS - 1, debt);
    if (debt <= 0) throw new IllegalStateException("the abused org owes nothing: its set-up did not reach the worst state");
  }

  /** Starts {@code count} callers, each sending its next request as soon as the last one answered. */
  Abuser start(int count) {
    running.set(true);
    for (int c = 0; c < count; c++) {
      Thread caller = new Thread(this::hammer, "abuser-" + c);
      caller.setDaemon(true);
      caller.start();
      callers.add(caller);
    }
    return this;
  }

  private void hammer() {
    while (running.get()) {
      long n = sequence.incrementAndGet();
      CompletableFuture<?> call = switch ((int) (n % 4)) {
        case 0 -> client.chargeAsync(ChargeRequest.newBuilder().setOrgId(orgId).setAmount(1)
            .setLabels(distinct(LABELED_CHARGES + n)).build());
        case 1 -> client.reserveAsync(ReserveRequest.newBuilder().setOrgId(orgId).setAmount(1).setTtl(HOUR)
            .setLabels(distinct(LABELED_CHARGES + n)).build());
        case 2 -> client.balanceAsync(orgId);
        default -> client.chargeAsync(ChargeRequest.newBuilder().setOrgId(orgId).setAmount(1_000_000).build());
      };
      sent.increment();
      try {
        call.join();
        accepted.increment();
      } catch (RuntimeException refused) {
        // Refusals are what this org mostly gets (it owes): each still costs the node a decision.
      }
    }
  }

  private static Labels distinct(long n) {
    return Labels.newBuilder().setModel("abuse-model-" + n).setCallType("abuse-call-" + n)
        .setProject("abuse-project-" + n).build();
  }

  /** Requests sent and accepted while running. */
  String summary() {
    return String.format("%,d requests to the abused org, %,d accepted", sent.sum(), accepted.sum());
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread caller : callers) caller.join(60_000);
    client.close();
  }
}
