package dev.tally.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tally.testkit.TestKeys;
import dev.tally.v1.GetBalanceRequest;
import dev.tally.v1.GetBalanceResponse;
import dev.tally.v1.MeteringGrpc;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The interceptor on a server like the node's (Netty, directExecutor) with a key table that answers late. */
class ApiKeyCheckTest {

  private final ApiKey key = ApiKey.generate();
  /** Keys the table knows besides {@link #key}, each read once: its first call waits for the table. */
  private final Map<String, StoredKey> others = new ConcurrentHashMap<>();
  /** The table answers on another thread, after the call has started, like Cassandra on a cache miss. */
  private final Executor tableThread = CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS);
  private final AtomicReference<String> orgSeenByTheService = new AtomicReference<>();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    StoredKey stored = new StoredKey("key_test", Role.METERING, "acme", key.hint(), null, null);
    Authentication authentication = new Authentication(
        new Authentication.Settings("", Duration.ofSeconds(5), 10, Duration.ofSeconds(10)),
        sha256 -> sha256.equals(key.sha256()) ? CompletableFuture.supplyAsync(() -> Optional.of(stored), tableThread)
            : CompletableFuture.supplyAsync(() -> Optional.ofNullable(others.get(sha256))),
        Clock.systemUTC(), System::nanoTime);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .directExecutor()
        .addService(new MeteringGrpc.MeteringImplBase() {
          @Override
          public void getBalance(GetBalanceRequest request, StreamObserver<GetBalanceResponse> responses) {
            orgSeenByTheService.set(request.getOrgId() + " as " + Principal.current().role());
            responses.onNext(GetBalanceResponse.getDefaultInstance());
            responses.onCompleted();
          }
        })
        .intercept(new ApiKeyCheck(authentication))
        .build()
        .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  private MeteringGrpc.MeteringBlockingStub metering(String apiKey) {
    return MeteringGrpc.newBlockingStub(ClientInterceptors.intercept(channel, TestKeys.bearer(apiKey)))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void aCallWhoseKeyIsReadLateReachesTheServiceWithItsPrincipal() {
    metering(key.secret()).getBalance(GetBalanceRequest.newBuilder().setOrgId("acme").build());

    assertEquals("acme as METERING", orgSeenByTheService.get());
  }

  @Test
  void noRequestIsLostWhileKeysAreReadOnOtherThreads() {
    for (int i = 0; i < 300; i++) {
      ApiKey fresh = ApiKey.generate();
      others.put(fresh.sha256(), new StoredKey("key_test", Role.READER, "org-" + i, fresh.hint(), null, null));
      metering(fresh.secret()).getBalance(GetBalanceRequest.newBuilder().setOrgId("org-" + i).build());
      assertEquals("org-" + i + " as READER", orgSeenByTheService.get());
    }
  }

  @Test
  void aCallForAnotherOrgIsDeniedWhetherTheKeyWasReadLateOrCached() {
    for (int attempt = 0; attempt < 2; attempt++) {
      StatusRuntimeException denied = assertThrows(StatusRuntimeException.class,
          () -> metering(key.secret()).getBalance(GetBalanceRequest.newBuilder().setOrgId("other").build()));
      assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
    }
    assertEquals(null, orgSeenByTheService.get());
  }

  @Test
  void anUnknownKeyReadLateIsUnauthenticated() {
    StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
        () -> metering(ApiKey.generate().secret()).getBalance(GetBalanceRequest.newBuilder().setOrgId("acme").build()));
    assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());
  }
}
