package dev.tally.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.tally.ops.cassandra.CassandraServer;
import dev.tally.testkit.Eventually;
import dev.tally.testkit.NodeProcess;
import dev.tally.testkit.TestCassandra;
import dev.tally.v1.AccountsGrpc;
import dev.tally.v1.Balance;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CreateOrgRequest;
import dev.tally.v1.Credits;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GrantCreditsRequest;
import dev.tally.v1.GrantKind;
import dev.tally.v1.LedgerEntry;
import dev.tally.v1.ListLedgerRequest;
import dev.tally.v1.ListLedgerResponse;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReleaseRequest;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.ReserveResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Cassandra killed (SIGKILL) under load and started again on its data: no operation the node
 * acknowledged is lost or applied twice, and every org's balance is what its ledger says. While the
 * journal cannot be written the node says it is not ready, on /ready and on gRPC health; once
 * Cassandra is back it writes again within seconds. Its own Cassandra, so no other test sees the crash;
 * tagged {@code alone}, so it runs after the other classes with the CPU to itself (the module's pom).
 */
@Tag("alone")
class CassandraCrashTest {

  static final int ORGS = 6;
  static final int WORKERS = 16;
  static final int OPERATIONS_PER_WORKER = 60;
  static final long GRANTED = Credits.of(1_000_000);
  static final long HOLD = 20_000;
  static final Duration SERVES_AGAIN_WITHIN = Duration.ofSeconds(5);
  /** Each attempt's deadline; an attempt that runs out has an unknown outcome and is sent again. */
  static final Duration ATTEMPT = Duration.ofSeconds(3);
  /** How long one operation is retried before the test gives up on it. */
  static final Duration GIVE_UP_AFTER = Duration.ofMinutes(2);

  /** An operation the node acknowledged: the ledger entry it must have made, exactly once. */
  record Acknowledged(String orgId, String requestId, String entryType, String reservationId, long amount) {}

  final Set<Acknowledged> acknowledged = ConcurrentHashMap.newKeySet();
  final List<String> refusals = new CopyOnWriteArrayList<>();
  final AtomicInteger operationsDone = new AtomicInteger();
  final AtomicInteger attemptsRetried = new AtomicInteger();
  /** When Cassandra served a query again after the kill; null before. */
  volatile Instant cassandraBack;
  /** Per org of the load, how long after Cassandra was back its first operation was acknowledged. */
  final Map<String, Duration> orgsWritingAgain = new ConcurrentHashMap<>();

  @Test
  void noAcknowledgedOperationIsLostWhenCassandraIsKilledAndTheNodeWritesAgainWithinSecondsOfItsReturn()
      throws Exception {
    try (CassandraServer cassandra = TestCassandra.startAnother();
        NodeProcess node = NodeProcess.start(cassandra)) {
      Channel channel = node.channel();
      List<String> orgIds = createOrgs(channel, ORGS + 1);
      String quietOrg = orgIds.remove(ORGS); // written only to time the return, so no batch of its own is in flight at the kill

      ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
      Map<String, Duration> backAfter;
      Duration queryAfterStart;
      int doneAtKill;
      Duration beforeKill;
      try {
        Instant loadStarted = Instant.now();
        List<Future<?>> load = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
          int worker = w;
          load.add(workers.submit(() -> meter(channel, orgIds, worker)));
        }
        Eventually.await("a third of the load done", Duration.ofMinutes(1),
            () -> operationsDone.get() >= WORKERS * OPERATIONS_PER_WORKER / 3);

        cassandra.kill();
        doneAtKill = operationsDone.get();
        beforeKill = Duration.between(loadStarted, Instant.now());
        Eventually.await("/ready refuses while Cassandra is down", Duration.ofSeconds(10),
            () -> NodeProcess.httpStatus(node.managementPort(), "/ready") == 500);
        Eventually.await("gRPC health is NOT_SERVING while Cassandra is down", Duration.ofSeconds(10),
            () -> health(channel) == ServingStatus.NOT_SERVING);

        cassandra.start();
        Instant started = Instant.now();
        Instant back = servesAQuery(cassandra);
        cassandraBack = back;
        queryAfterStart = Duration.between(started, back);
        Map<String, BooleanSupplier> serves = new LinkedHashMap<>();
        serves.put("a write is acknowledged", () -> charged(channel, quietOrg, "after-cassandra-returned"));
        serves.put("/ready is 200", () -> NodeProcess.httpStatus(node.managementPort(), "/ready") == 200);
        serves.put("gRPC health is SERVING", () -> health(channel) == ServingStatus.SERVING);
        backAfter = timesUntil(back, serves);

        for (Future<?> worker : load) worker.get(3, TimeUnit.MINUTES);
      } finally {
        workers.shutdownNow();
      }
      System.out.printf("cassandra crash: %d operations (%d done at the kill, %d ms after the load started), %d acknowledged"
              + " requests, %d attempts retried; a new session's query served %d ms after start() returned; after"
              + " Cassandra was back: %s, each org of the load wrote again after %s%n",
          operationsDone.get(), doneAtKill, beforeKill.toMillis(), acknowledged.size(), attemptsRetried.get(),
          queryAfterStart.toMillis(), backAfter,
          orgsWritingAgain.values().stream().sorted().map(Duration::toMillis).toList());

      List<String> wrong = new ArrayList<>(refusals);
      for (String orgId : orgIds) wrong.addAll(ledgerAgreesWithAcknowledgements(channel, orgId));
      assertEquals(List.of(), wrong,
          "no operation is refused, every acknowledged one is in its org's ledger once, and balances add up");
      backAfter.forEach((what, after) -> assertTrue(after.compareTo(SERVES_AGAIN_WITHIN) <= 0,
          what + " " + after.toMillis() + " ms after Cassandra was back"));
      // Busy orgs too: their batches timed out against the dead journal, and none may pile up behind them.
      // An org's retry can have been sent just before Cassandra was back: one attempt's deadline more.
      assertEquals(orgIds.size(), orgsWritingAgain.size(), "every org of the load wrote again: " + orgsWritingAgain);
      orgsWritingAgain.forEach((orgId, after) -> assertTrue(after.compareTo(SERVES_AGAIN_WITHIN.plus(ATTEMPT)) <= 0,
          "org " + orgId + " of the load wrote again only " + after.toMillis() + " ms after Cassandra was back"));
    }
  }

  /**
   * One worker's bounded share of the load, rotating through one-step charges, reserve+commit and
   * reserve+release over the orgs; each request has its own id, and every attempt of it the same.
   */
  private void meter(Channel channel, List<String> orgIds, int worker) {
    MeteringGrpc.MeteringBlockingStub metering = MeteringGrpc.newBlockingStub(channel);
    for (int i = 0; i < OPERATIONS_PER_WORKER; i++) {
      String orgId = orgIds.get((worker + i) % orgIds.size());
      String id = "w" + worker + "-" + i;
      try {
        switch ((worker + i) % 3) {
          case 0 -> {
            long amount = 1_000L * (1 + i % 7);
            long charged = retried(metering, m -> m.charge(ChargeRequest.newBuilder()
                .setOrgId(orgId).setRequestId(id + "-charge").setAmount(amount).build())).getCharged();
            acknowledged.add(new Acknowledged(orgId, id + "-charge", "CREDITS_CHARGED", "", charged));
          }
          case 1 -> {
            String reservationId = reserve(metering, orgId, id);
            long amount = 1_000L * (1 + i % 9);
            long charged = retried(metering, m -> m.commit(CommitRequest.newBuilder()
                .setOrgId(orgId).setRequestId(id + "-commit").setReservationId(reservationId).setAmount(amount).build()))
                .getCharged();
            acknowledged.add(new Acknowledged(orgId, id + "-commit", "RESERVATION_COMMITTED", reservationId, charged));
          }
          default -> {
            String reservationId = reserve(metering, orgId, id);
            long released = retried(metering, m -> m.release(ReleaseRequest.newBuilder()
                .setOrgId(orgId).setRequestId(id + "-release").setReservationId(reservationId).build())).getReleased();
            acknowledged.add(new Acknowledged(orgId, id + "-release", "RESERVATION_RELEASED", reservationId, released));
          }
        }
        Instant back = cassandraBack;
        if (back != null) orgsWritingAgain.putIfAbsent(orgId, Duration.between(back, Instant.now()));
      } catch (StatusRuntimeException refused) {
        refusals.add(orgId + " " + id + ": " + refused.getStatus());
      }
      operationsDone.incrementAndGet();
    }
  }

  private String reserve(MeteringGrpc.MeteringBlockingStub metering, String orgId, String id) {
    ReserveResponse reserved = retried(metering, m -> m.reserve(ReserveRequest.newBuilder()
        .setOrgId(orgId).setRequestId(id + "-reserve").setAmount(HOLD).build()));
    acknowledged.add(new Acknowledged(orgId, id + "-reserve", "CREDITS_RESERVED", reserved.getReservationId(), reserved.getHeld()));
    return reserved.getReservationId();
  }

  /** The call, sent again with the same request while its outcome is unknown; a refusal is thrown. */
  private <T> T retried(MeteringGrpc.MeteringBlockingStub metering, Function<MeteringGrpc.MeteringBlockingStub, T> call) {
    Instant giveUp = Instant.now().plus(GIVE_UP_AFTER);
    while (true) {
      try {
        return call.apply(metering.withDeadlineAfter(ATTEMPT.toMillis(), TimeUnit.MILLISECONDS));
      } catch (StatusRuntimeException failure) {
        if (!outcomeUnknown(failure) || Instant.now().isAfter(giveUp)) throw failure;
        attemptsRetried.incrementAndGet();
        pause();
      }
    }
  }

  /** The node did not say what became of the request: it may or may not have been applied. */
  private static boolean outcomeUnknown(StatusRuntimeException failure) {
    Status.Code code = failure.getStatus().getCode();
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.INTERNAL
        || code == Status.Code.UNKNOWN || code == Status.Code.CANCELLED;
  }

  /**
   * When Cassandra is back for its clients: a new driver session (the node's driver reconnects the same way:
   * control connection, metadata, pools) has run a query. Not when start() returns: that is when the native port
   * first answers a bare protocol handshake; a bound measured from there would also time a driver's set-up
   * against a Cassandra still warming up, where this test bounds how soon the node writes once Cassandra serves.
   */
  private static Instant servesAQuery(CassandraServer cassandra) {
    try (CqlSession session = cassandra.newSession()) {
      session.execute("SELECT release_version FROM system.local");
      return Instant.now();
    }
  }

  /** One attempt of a charge; true once it is acknowledged. */
  private static boolean charged(Channel channel, String orgId, String requestId) {
    try {
      MeteringGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.SECONDS).charge(ChargeRequest.newBuilder()
          .setOrgId(orgId).setRequestId(requestId).setAmount(1_000).build());
      return true;
    } catch (StatusRuntimeException failure) {
      if (outcomeUnknown(failure)) return false;
      throw failure;
    }
  }

  private static ServingStatus health(Channel channel) {
    try {
      return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus();
    } catch (StatusRuntimeException noAnswer) {
      return ServingStatus.UNKNOWN;
    }
  }

  /** How long after {@code from} each condition first held, all polled together every 100 ms for at most a minute. */
  private static Map<String, Duration> timesUntil(Instant from, Map<String, BooleanSupplier> conditions)
      throws InterruptedException {
    Map<String, Duration> held = new LinkedHashMap<>();
    boolean all = Eventually.within(Duration.ofMinutes(1), () -> {
      conditions.forEach((what, condition) -> {
        if (!held.containsKey(what) && condition.getAsBoolean()) held.put(what, Duration.between(from, Instant.now()));
      });
      return held.size() == conditions.size();
    });
    assertTrue(all, "within a minute only " + held);
    return held;
  }

  /**
   * What is wrong with the org's ledger: an acknowledged operation without its entry, a request with
   * two entries of one type, or a balance other than what the ledger adds up to. Empty when all is right.
   */
  private List<String> ledgerAgreesWithAcknowledgements(Channel channel, String orgId) {
    List<LedgerEntry> ledger = ledger(channel, orgId);
    List<String> wrong = new ArrayList<>();
    Map<String, List<LedgerEntry>> byRequest = ledger.stream().filter(e -> !e.getRequestId().isEmpty())
        .collect(Collectors.groupingBy(e -> e.getType() + " " + e.getRequestId()));
    byRequest.forEach((request, entries) -> {
      if (entries.size() > 1) wrong.add(orgId + ": " + request + " is in the ledger " + entries.size() + " times");
    });
    for (Acknowledged ack : acknowledged) {
      if (!ack.orgId().equals(orgId)) continue;
      List<LedgerEntry> entries = byRequest.getOrDefault(ack.entryType() + " " + ack.requestId(), List.of());
      if (entries.isEmpty()) {
        wrong.add("acknowledged but not in the ledger: " + ack);
      } else if (!entries.get(0).getReservationId().equals(ack.reservationId()) || entries.get(0).getAmount() != ack.amount()) {
        wrong.add("acknowledged " + ack + " but the ledger says " + entries.get(0).getReservationId() + ", " + entries.get(0).getAmount());
      }
    }

    long granted = 0;
    long charged = 0;
    Map<String, Long> openHolds = new HashMap<>();
    for (LedgerEntry entry : ledger) {
      switch (entry.getType()) {
        case "CREDITS_GRANTED" -> granted += entry.getAmount();
        case "CREDITS_CHARGED" -> charged += entry.getAmount();
        case "CREDITS_RESERVED" -> openHolds.put(entry.getReservationId(), entry.getAmount());
        case "RESERVATION_COMMITTED" -> {
          charged += entry.getAmount();
          openHolds.remove(entry.getReservationId());
        }
        case "RESERVATION_RELEASED", "RESERVATION_EXPIRED" -> openHolds.remove(entry.getReservationId());
        default -> { }
      }
    }
    long held = openHolds.values().stream().mapToLong(Long::longValue).sum();
    Balance balance = MeteringGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .getBalance(GetBalanceRequest.newBuilder().setOrgId(orgId).build()).getBalance();
    Balance fromLedger = Balance.newBuilder().setAvailable(granted - charged - held).setHeld(held).setDebt(0)
        .setGrantedRemaining(granted - charged).setOpenReservations(openHolds.size()).build();
    if (!balance.equals(fromLedger)) wrong.add(orgId + ": balance " + balance + " but the ledger adds up to " + fromLedger);
    return wrong;
  }

  private static List<LedgerEntry> ledger(Channel channel, String orgId) {
    List<LedgerEntry> entries = new ArrayList<>();
    String token = "";
    do {
      ListLedgerResponse page = AccountsGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.MINUTES)
          .listLedger(ListLedgerRequest.newBuilder().setOrgId(orgId).setPageSize(1000).setPageToken(token).build());
      entries.addAll(page.getEntriesList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return entries;
  }

  private static List<String> createOrgs(Channel channel, int count) {
    var accounts = AccountsGrpc.newBlockingStub(channel);
    List<String> orgIds = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String orgId = "crash-" + i + "-" + UUID.randomUUID();
      accounts.withDeadlineAfter(1, TimeUnit.MINUTES).createOrg(CreateOrgRequest.newBuilder()
          .setOrgId(orgId).setRequestId("create").setPlan("payg").build());
      accounts.withDeadlineAfter(1, TimeUnit.MINUTES).grantCredits(GrantCreditsRequest.newBuilder()
          .setOrgId(orgId).setRequestId("grant").setKind(GrantKind.PURCHASE).setAmount(GRANTED).build());
      orgIds.add(orgId);
    }
    return orgIds;
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
