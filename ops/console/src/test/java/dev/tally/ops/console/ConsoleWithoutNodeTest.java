package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The console when no node answers: a sign-in gets a 502 page that says so, and no session. */
class ConsoleWithoutNodeTest {

  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  /** A port of 127.0.0.1 nothing listens on: bound for a moment, then let go. */
  private static int deadPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void aSignInWhileNoNodeAnswersIsABadGatewayPageThatSaysSo() throws Exception {
    String node = "127.0.0.1:" + deadPort();
    try (Console console = Console.startLocal(List.of(node), 0)) {
      HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(console.url() + "signin")).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      String cookie = form.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
      String token = cookie.substring(cookie.indexOf('=') + 1);
      String key = "tk_hroTgncuEo7pqI4ieMmt5XP35D7pa";
      HttpResponse<String> signIn = http.send(HttpRequest.newBuilder(URI.create(console.url() + "signin"))
          .header("Cookie", cookie).header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("csrf=" + token + "&org=&key=" + key)).build(),
          HttpResponse.BodyHandlers.ofString());

      assertEquals(502, signIn.statusCode());
      assertTrue(signIn.body().contains("could not reach a Tally node at " + node), signIn.body());
      assertFalse(signIn.body().contains(key), "the key is not in the page");
      assertTrue(signIn.headers().allValues("Set-Cookie").stream().noneMatch(c -> c.startsWith(Routes.SESSION_COOKIE)));
    }
  }
}
