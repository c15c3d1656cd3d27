package dev.tally.node.auth;

import dev.tally.node.api.TallyErrors;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Turns the {@code authorization: Bearer <key>} of a call into a {@link Principal}, or into
 * UNAUTHENTICATED. The operator's bootstrap admin key (its SHA-256 in the settings) needs no table
 * entry; other keys are read from {@link KeyTable} and cached by hash, found or not, for
 * {@link Settings#cacheTtl()}: the hot path reads no table, and a revoked key keeps working on a
 * node for at most that long. Revocation and expiry times themselves are checked on every call.
 */
public final class Authentication {

  /**
   * {@code bootstrapAdminSha256}: hex SHA-256 of the operator's admin key, "" for none.
   * {@code cacheTtl}: how long a looked-up key is trusted (the bound on a revocation's delay).
   * {@code cacheMaxEntries}: the most keys remembered (least recently used forgotten first).
   * {@code lookupTimeout}: how long a call waits for the table on a cache miss.
   */
  public record Settings(String bootstrapAdminSha256, Duration cacheTtl, int cacheMaxEntries, Duration lookupTimeout) {}

  private record Cached(Optional<StoredKey> key, long loadedAt) {}

  private final Settings settings;
  private final Function<String, CompletionStage<Optional<StoredKey>>> table;
  private final Clock clock;
  private final LongSupplier nanos;
  private final Map<String, Cached> cache;

  public Authentication(
      Settings settings, Function<String, CompletionStage<Optional<StoredKey>>> table, Clock clock, LongSupplier nanos) {
    this.settings = settings;
    this.table = table;
    this.clock = clock;
    this.nanos = nanos;
    this.cache = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
        return size() > settings.cacheMaxEntries();
      }
    };
  }

  /**
   * The caller named by an {@code authorization} header value (null when absent). On a cache miss
   * this blocks the calling thread for at most {@link Settings#lookupTimeout()}; gRPC runs
   * interceptors on its application executor, not on the transport's event loop.
   */
  public Principal authenticate(String authorization) {
    if (authorization == null) throw TallyErrors.unauthenticated("no API key: send the header authorization: Bearer <key>");
    if (!authorization.startsWith("Bearer ")) {
      throw TallyErrors.unauthenticated("the authorization header must be: Bearer <key>");
    }
    ApiKey key = ApiKey.parse(authorization.substring("Bearer ".length()).trim())
        .orElseThrow(() -> TallyErrors.unauthenticated("malformed API key"));
    String sha256 = key.sha256();
    if (!settings.bootstrapAdminSha256().isEmpty() && settings.bootstrapAdminSha256().equalsIgnoreCase(sha256)) {
      return new Principal(Role.ADMIN, null, key.hint());
    }
    StoredKey stored = lookUp(sha256)
        .orElseThrow(() -> TallyErrors.unauthenticated("unknown API key " + key.hint()));
    if (!stored.usableAt(clock.instant())) {
      throw TallyErrors.unauthenticated("API key " + key.hint() + " is revoked or expired");
    }
    return new Principal(stored.role(), stored.role() == Role.ADMIN ? null : stored.orgId(), key.hint());
  }

  /** Forgets what this node read of a key, so that its revocation takes effect here at once. */
  void forget(String sha256) {
    synchronized (cache) {
      cache.remove(sha256);
    }
  }

  private Optional<StoredKey> lookUp(String sha256) {
    long now = nanos.getAsLong();
    synchronized (cache) {
      Cached cached = cache.get(sha256);
      if (cached != null && now - cached.loadedAt() < settings.cacheTtl().toNanos()) return cached.key();
    }
    Optional<StoredKey> found;
    try {
      found = table.apply(sha256).toCompletableFuture().get(settings.lookupTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw TallyErrors.failure(e);
    } catch (ExecutionException | TimeoutException e) {
      throw TallyErrors.failure(e);
    }
    synchronized (cache) {
      cache.put(sha256, new Cached(found, now));
    }
    return found;
  }
}
