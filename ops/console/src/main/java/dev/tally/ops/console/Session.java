package dev.tally.ops.console;

import dev.tally.client.TallyClient;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One signed-in user: the API key's client (every call goes out with the user's own key), what the
 * key is, and the token its forms must carry. The key itself lives only inside {@link #tally}.
 */
final class Session {

  private final String id;
  private final String csrfToken;
  private final Access access;
  private final String orgId;
  private final TallyClient tally;
  private final AtomicReference<Notice> notice = new AtomicReference<>();
  private volatile long lastSeenNanos;

  Session(String id, String csrfToken, Access access, String orgId, TallyClient tally, long nowNanos) {
    this.id = id;
    this.csrfToken = csrfToken;
    this.access = access;
    this.orgId = orgId;
    this.tally = tally;
    this.lastSeenNanos = nowNanos;
  }

  String id() {
    return id;
  }

  String csrfToken() {
    return csrfToken;
  }

  Access access() {
    return access;
  }

  /** The org the key is bound to; "" for an admin key. */
  String orgId() {
    return orgId;
  }

  TallyClient tally() {
    return tally;
  }

  /** The page a user lands on after signing in. */
  String home() {
    return access.isOperator() ? Links.OPERATOR : Links.org(orgId);
  }

  void leave(Notice next) {
    notice.set(next);
  }

  /** The notice left by the last action, once. */
  Notice takeNotice() {
    return notice.getAndSet(null);
  }

  long lastSeenNanos() {
    return lastSeenNanos;
  }

  void seen(long nowNanos) {
    lastSeenNanos = nowNanos;
  }
}
