package dev.tally.ops.console;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The signed-in users, by a random 256-bit session id (the cookie's value). A session ends at sign
 * out or after {@code idle} without a request, and its client (with the key) is closed then. At
 * most {@code maxSessions} live at once: past that a sign-in is refused rather than an old session
 * dropped, so the memory they hold (one gRPC channel each) is bounded.
 */
final class Sessions {

  /** Thrown when {@code maxSessions} are signed in. */
  static final class Full extends RuntimeException {
    Full() {
      super("too many sessions", null, false, false);
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private final Duration idle;
  private final int maxSessions;
  private final LongSupplier nanos;

  Sessions(Duration idle, int maxSessions, LongSupplier nanos) {
    this.idle = idle;
    this.maxSessions = maxSessions;
    this.nanos = nanos;
  }

  /** 32 random bytes, URL-safe Base64: session ids and CSRF tokens. */
  static String randomToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Whether {@code text} has the shape of a {@link #randomToken()}. */
  static boolean isToken(String text) {
    return text.length() == 43 && text.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_');
  }

  /** Starts a session under a new id: never one the browser sent (no session fixation). */
  Session start(Access access, String orgId, dev.tally.client.TallyClient tally) {
    endIdle();
    if (byId.size() >= maxSessions) throw new Full();
    Session session = new Session(randomToken(), randomToken(), access, orgId, tally, nanos.getAsLong());
    byId.put(session.id(), session);
    return session;
  }

  /** The live session with this id, marked as seen now; empty when there is none or it was idle too long. */
  Optional<Session> find(String id) {
    if (id == null) return Optional.empty();
    Session session = byId.get(id);
    if (session == null) return Optional.empty();
    long now = nanos.getAsLong();
    if (now - session.lastSeenNanos() > idle.toNanos()) {
      end(session);
      return Optional.empty();
    }
    session.seen(now);
    return Optional.of(session);
  }

  void end(Session session) {
    if (byId.remove(session.id(), session)) session.tally().close();
  }

  /** Ends every session idle too long (run now and then, so that idle keys do not stay in memory). */
  void endIdle() {
    long now = nanos.getAsLong();
    for (Session session : byId.values()) {
      if (now - session.lastSeenNanos() > idle.toNanos()) end(session);
    }
  }

  int size() {
    return byId.size();
  }

  void endAll() {
    byId.values().forEach(this::end);
  }
}
