package dev.tally.ops.cassandra;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Only a CQL server counts as ready: not a closed port, nor a server that speaks another protocol.
 * That a real Cassandra does count is proven in {@link CassandraServerTest}, with and without a login.
 */
class CqlReadinessTest {

  static final Duration TIMEOUT = Duration.ofSeconds(2);

  @Test
  void aPortNobodyListensOnIsNotReady() {
    InetSocketAddress closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), CassandraServer.freePort());
    assertFalse(CqlReadiness.answers(closed, Optional.empty(), TIMEOUT));
  }

  @Test
  void aServerThatAnswersSomethingElseIsNotReady() throws Exception {
    try (ServerSocket http = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread server = new Thread(() -> answerOnce(http, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"));
      server.start();
      assertFalse(CqlReadiness.answers((InetSocketAddress) http.getLocalSocketAddress(), Optional.empty(), TIMEOUT));
      server.join();
    }
  }

  @Test
  void aServerThatAcceptsAndSaysNothingIsNotReadyOnceTheTimeoutPasses() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertFalse(CqlReadiness.answers((InetSocketAddress) silent.getLocalSocketAddress(), Optional.empty(),
          Duration.ofMillis(300)));
    }
  }

  private static void answerOnce(ServerSocket server, String reply) {
    try (Socket client = server.accept(); OutputStream out = client.getOutputStream()) {
      client.getInputStream().readNBytes(9);
      out.write(reply.getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
