package dev.tally.ops.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tally.client.TallyClient;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionsTest {

  private final AtomicLong now = new AtomicLong(1_000);
  private final Sessions sessions = new Sessions(Duration.ofMinutes(30), 2, now::get);

  /** A client that is never called: sessions only hold and close it. */
  private static TallyClient client() {
    return TallyClient.builder().nodes("127.0.0.1:1").apiKey("tk_unused").build();
  }

  @Test
  void sessionIdsAreTwoHundredFiftySixRandomBitsAndTheCsrfTokenIsAnother() {
    Session one = sessions.start(Access.READER, "org", client());
    Session two = sessions.start(Access.READER, "org", client());
    assertEquals(32, Base64.getUrlDecoder().decode(one.id()).length);
    assertNotEquals(one.id(), two.id());
    assertNotEquals(one.id(), one.csrfToken());
  }

  @Test
  void aSessionIdleForThirtyMinutesIsGoneAndOneInUseStays() {
    Session idle = sessions.start(Access.METERING, "org", client());
    Session used = sessions.start(Access.METERING, "org", client());
    now.addAndGet(Duration.ofMinutes(20).toNanos());
    assertTrue(sessions.find(used.id()).isPresent());
    now.addAndGet(Duration.ofMinutes(11).toNanos());
    assertTrue(sessions.find(idle.id()).isEmpty(), "idle 31 minutes");
    assertTrue(sessions.find(used.id()).isPresent(), "last seen 11 minutes ago");
    assertEquals(1, sessions.size());
  }

  @Test
  void pastTheMostSessionsASignInIsRefusedUntilOneEnds() {
    Session first = sessions.start(Access.ADMIN, "", client());
    sessions.start(Access.ADMIN, "", client());
    TallyClient refused = client();
    assertThrows(Sessions.Full.class, () -> sessions.start(Access.ADMIN, "", refused));
    refused.close();
    sessions.end(first);
    assertTrue(sessions.find(first.id()).isEmpty());
    sessions.start(Access.ADMIN, "", client());
  }

  @Test
  void noIdOrAnUnknownOneFindsNoSession() {
    assertTrue(sessions.find(null).isEmpty());
    assertTrue(sessions.find("made-up").isEmpty());
  }
}
