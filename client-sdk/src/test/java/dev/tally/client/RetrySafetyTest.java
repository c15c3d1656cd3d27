package dev.tally.client;

import static dev.tally.v1.Credits.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tally.testkit.TestCassandra;
import dev.tally.testkit.TestKeys;
import dev.tally.testkit.TestNode;
import dev.tally.v1.ChargeRequest;
import dev.tally.v1.ChargeResponse;
import dev.tally.v1.CommitRequest;
import dev.tally.v1.CommitResponse;
import dev.tally.v1.ExtendReservationRequest;
import dev.tally.v1.ExtendReservationResponse;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GetBalanceResponse;
import dev.tally.v1.MeteringGrpc;
import dev.tally.v1.ReleaseRequest;
import dev.tally.v1.ReleaseResponse;
import dev.tally.v1.ReserveRequest;
import dev.tally.v1.ReserveResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A commit whose response is lost after the node applied it is retried with the same request id
 * and charged once. The loss is made by a proxy between the SDK and a real node: it forwards every
 * call, but replaces the node's answer to the first commits with UNAVAILABLE, as a dropped
 * connection would. (A client interceptor cannot play this part: gRPC's retries happen beneath
 * interceptors, so a failure an interceptor makes up is never retried.)
 */
@ExtendWith({TestCassandra.class, TestNode.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetrySafetyTest {

  ResponseLosingProxy proxy;
  TallyClient tally;
  TallyClient direct;
  Orgs orgs;

  @BeforeAll
  void start() throws IOException {
    proxy = new ResponseLosingProxy(TestNode.node().channel());
    tally = TallyClient.builder()
        .nodes(proxy.address())
        .defaultDeadline(Duration.ofSeconds(30))
        .retries(3, Duration.ofMillis(50), Duration.ofMillis(200))
        .build();
    direct = TallyClient.builder().apiKey(TestKeys.ADMIN).nodes(TestNode.address()).build();
    orgs = new Orgs(direct.accounts());
  }

  @BeforeEach
  void reset() {
    proxy.commits.clear();
  }

  @AfterAll
  void stop() {
    tally.close();
    direct.close();
    proxy.close();
  }

  @Test
  void aCommitWhoseResponseIsLostIsRetriedWithTheSameIdAndChargedOnce() {
    String org = orgs.withCredits(of(10));
    proxy.loseCommitResponses(1);

    try (Reservation reservation = tally.reserve(org, Estimate.microCredits(of(4)))) {
      CommitResponse committed = reservation.commit(Usage.microCredits(of(3)));
      assertEquals(of(3), committed.getCharged());
    }

    assertEquals(2, proxy.commits.size(), "the node saw the commit twice");
    assertEquals(proxy.commits.get(0).getRequestId(), proxy.commits.get(1).getRequestId());
    assertChargedOnce(org, of(3), of(7));
  }

  @Test
  void aCommitStillInDoubtAfterEveryRetryIsResentByCloseWithTheSameIdAndChargedOnce() {
    String org = orgs.withCredits(of(10));
    proxy.loseCommitResponses(3);  // every attempt of the first commit

    assertThrows(TallyUnavailableException.class, () -> {
      try (Reservation reservation = tally.reserve(org, Estimate.microCredits(of(4)))) {
        reservation.commit(Usage.microCredits(of(3)));
      }
    });

    assertEquals(4, proxy.commits.size(), "3 attempts, then close() sent it once more");
    assertEquals(1, proxy.commits.stream().map(CommitRequest::getRequestId).distinct().count());
    assertChargedOnce(org, of(3), of(7));
  }

  @Test
  void anAsyncCommitWhoseResponseIsLostIsChargedOnce() {
    String org = orgs.withCredits(of(10));
    proxy.loseCommitResponses(2);

    String result = tally.meterAsync(org, Estimate.microCredits(of(4)),
        () -> java.util.concurrent.CompletableFuture.completedFuture("ok"), ok -> Usage.microCredits(of(2))).join();

    assertEquals("ok", result);
    assertEquals(3, proxy.commits.size());
    assertChargedOnce(org, of(2), of(8));
  }

  void assertChargedOnce(String org, long charged, long available) {
    assertEquals(1, orgs.ledger(org, "RESERVATION_COMMITTED").size());
    assertEquals(charged, orgs.ledger(org, "RESERVATION_COMMITTED").get(0).getAmount());
    GetBalanceResponse balance = MeteringGrpc.newBlockingStub(TestNode.node().channel())
        .getBalance(GetBalanceRequest.newBuilder().setOrgId(org).build());
    assertEquals(available, balance.getBalance().getAvailable());
    assertEquals(0, balance.getBalance().getHeld());
  }

  /** Forwards Metering calls to a node; loses the node's answers to the next N commits. */
  static final class ResponseLosingProxy extends MeteringGrpc.MeteringImplBase implements AutoCloseable {

    final List<CommitRequest> commits = new CopyOnWriteArrayList<>();
    private final AtomicInteger commitResponsesToLose = new AtomicInteger();
    private final MeteringGrpc.MeteringBlockingStub node;
    private final Server server;

    ResponseLosingProxy(ManagedChannel nodeChannel) throws IOException {
      this.node = MeteringGrpc.newBlockingStub(nodeChannel);
      HealthStatusManager health = new HealthStatusManager();
      this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .addService(this)
          .addService(health.getHealthService())
          .build()
          .start();
      health.setStatus("", ServingStatus.SERVING);
    }

    void loseCommitResponses(int count) {
      commitResponsesToLose.set(count);
    }

    String address() {
      return "127.0.0.1:" + server.getPort();
    }

    private <Req, Res> void forward(Req request, Function<Req, Res> call, StreamObserver<Res> responses) {
      try {
        Res response = call.apply(request);
        responses.onNext(response);
        responses.onCompleted();
      } catch (StatusRuntimeException failure) {
        responses.onError(failure);
      }
    }

    @Override
    public void commit(CommitRequest request, StreamObserver<CommitResponse> responses) {
      commits.add(request);
      forward(request, r -> {
        CommitResponse applied = node.withDeadlineAfter(30, TimeUnit.SECONDS).commit(r);
        if (commitResponsesToLose.getAndDecrement() > 0) {
          throw Status.UNAVAILABLE.withDescription("proxy lost the node's response").asRuntimeException();
        }
        return applied;
      }, responses);
    }

    @Override
    public void reserve(ReserveRequest request, StreamObserver<ReserveResponse> responses) {
      forward(request, r -> node.withDeadlineAfter(30, TimeUnit.SECONDS).reserve(r), responses);
    }

    @Override
    public void release(ReleaseRequest request, StreamObserver<ReleaseResponse> responses) {
      forward(request, r -> node.withDeadlineAfter(30, TimeUnit.SECONDS).release(r), responses);
    }

    @Override
    public void charge(ChargeRequest request, StreamObserver<ChargeResponse> responses) {
      forward(request, r -> node.withDeadlineAfter(30, TimeUnit.SECONDS).charge(r), responses);
    }

    @Override
    public void extendReservation(ExtendReservationRequest request, StreamObserver<ExtendReservationResponse> responses) {
      forward(request, r -> node.withDeadlineAfter(30, TimeUnit.SECONDS).extendReservation(r), responses);
    }

    @Override
    public void getBalance(GetBalanceRequest request, StreamObserver<GetBalanceResponse> responses) {
      forward(request, r -> node.withDeadlineAfter(30, TimeUnit.SECONDS).getBalance(r), responses);
    }

    @Override
    public void close() {
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
