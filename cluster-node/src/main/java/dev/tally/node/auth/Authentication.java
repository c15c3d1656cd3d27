package dev.tally.node.auth;

import dev.tally.node.api.TallyErrors;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
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
   * The caller named by an {@code authorization} header value (null when absent), or a failure with
   * UNAUTHENTICATED. Complete at once for the bootstrap key and for keys read within the TTL; on a
   * cache miss it completes when the table answers, or fails after {@link Settings#lookupTimeout()}.
   * It never blocks: the gRPC server runs interceptors on its transport threads (directExecutor).
   */
  public CompletableFuture<Principal> authenticate(String authorization) {
    if (authorization == null) {
      return CompletableFuture.failedFuture(
          TallyErrors.unauthenticated("no API key: send the header authorization: Bearer <key>"));
    }
    if (!authorization.startsWith("Bearer ")) {
      return CompletableFuture.failedFuture(TallyErrors.unauthenticated("the authorization header must be: Bearer <key>"));
    }
    Optional<ApiKey> parsed = ApiKey.parse(authorization.substring("Bearer ".length()).trim());
    if (parsed.isEmpty()) return CompletableFuture.failedFuture(TallyErrors.unauthenticated("malformed API key"));
    ApiKey key = parsed.get();
    String sha256 = key.sha256();
    if (!settings.bootstrapAdminSha256().isEmpty() && settings.bootstrapAdminSha256().equalsIgnoreCase(sha256)) {
      return CompletableFuture.completedFuture(new Principal(Role.ADMIN, null, key.hint(), ""));
    }
    long now = nanos.getAsLong();
    synchronized (cache) {
      Cached cached = cache.get(sha256);
      if (cached != null && now - cached.loadedAt() < settings.cacheTtl().toNanos()) {
        return principal(key, cached.key());
      }
    }
    return table.apply(sha256).toCompletableFuture()
        .orTimeout(settings.lookupTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .thenCompose(found -> {
          synchronized (cache) {
            cache.put(sha256, new Cached(found, now));
          }
          return principal(key, found);
        });
  }

  private CompletableFuture<Principal> principal(ApiKey key, Optional<StoredKey> found) {
    if (found.isEmpty()) return CompletableFuture.failedFuture(TallyErrors.unauthenticated("unknown API key " + key.hint()));
    StoredKey stored = found.get();
    if (!stored.usableAt(clock.instant())) {
      return CompletableFuture.failedFuture(TallyErrors.unauthenticated("API key " + key.hint() + " is revoked or expired"));
    }
    return CompletableFuture.completedFuture(
        new Principal(stored.role(), stored.role() == Role.ADMIN ? null : stored.orgId(), key.hint(),
            stored.keyId() == null ? "" : stored.keyId()));
  }

  /** Forgets what this node read of a key, so that its revocation takes effect here at once. */
  void forget(String sha256) {
    synchronized (cache) {
      cache.remove(sha256);
    }
  }
}
