package dev.tally.node.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AuthenticationTest {

  private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  private static final Duration TTL = Duration.ofSeconds(5);

  private final ApiKey bootstrap = ApiKey.generate();
  private final Map<String, StoredKey> table = new HashMap<>();
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicLong nanos = new AtomicLong();

  private Authentication authentication(int maxEntries) {
    return new Authentication(
        new Authentication.Settings(bootstrap.sha256(), TTL, maxEntries, Duration.ofSeconds(1)),
        sha256 -> {
          reads.incrementAndGet();
          return CompletableFuture.completedFuture(Optional.ofNullable(table.get(sha256)));
        },
        Clock.fixed(NOW, ZoneOffset.UTC),
        nanos::get);
  }

  private ApiKey stored(Role role, String org, Instant expiresAt, Instant revokedAt) {
    ApiKey key = ApiKey.generate();
    table.put(key.sha256(), new StoredKey("key_test", role, org, key.hint(), expiresAt, revokedAt));
    return key;
  }

  @Test
  void theBootstrapKeyIsAnAdminWithoutATableRead() {
    Principal principal = authentication(10).authenticate("Bearer " + bootstrap.secret()).join();

    assertEquals(Role.ADMIN, principal.role());
    assertNull(principal.orgId());
    assertEquals(0, reads.get());
  }

  @Test
  void aStoredKeyIsItsRoleForItsOrg() {
    ApiKey key = stored(Role.METERING, "acme", null, null);

    assertEquals(new Principal(Role.METERING, "acme", key.hint(), "key_test"), authentication(10).authenticate("Bearer " + key.secret()).join());
  }

  @Test
  void missingMalformedUnknownRevokedAndExpiredKeysAreUnauthenticatedWithoutTheKeyInTheMessage() {
    Authentication authentication = authentication(10);
    ApiKey unknown = ApiKey.generate();
    ApiKey revoked = stored(Role.READER, "acme", null, NOW.minusSeconds(1));
    ApiKey expired = stored(Role.READER, "acme", NOW, null);
    for (String header : new String[] {null, "Basic abc", "Bearer tk_nope", "Bearer " + unknown.secret(),
        "Bearer " + revoked.secret(), "Bearer " + expired.secret()}) {
      CompletionException failed = assertThrows(CompletionException.class, () -> authentication.authenticate(header).join());
      StatusRuntimeException refused = (StatusRuntimeException) failed.getCause();
      assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode(), header);
      String message = refused.getStatus().getDescription();
      for (ApiKey key : new ApiKey[] {unknown, revoked, expired}) {
        assertFalse(message.contains(key.secret()) || message.contains(key.sha256()), message);
      }
    }
  }

  @Test
  void aCacheHitAnswersAtOnceAndAMissWhenTheTableDoes() {
    ApiKey key = stored(Role.READER, "acme", null, null);
    CompletableFuture<Optional<StoredKey>> slowTable = new CompletableFuture<>();
    Authentication authentication = new Authentication(
        new Authentication.Settings("", TTL, 10, Duration.ofSeconds(30)), sha256 -> slowTable, Clock.fixed(NOW, ZoneOffset.UTC),
        nanos::get);

    CompletableFuture<Principal> miss = authentication.authenticate("Bearer " + key.secret());
    assertFalse(miss.isDone(), "nothing waits for the table");
    slowTable.complete(Optional.of(table.get(key.sha256())));
    assertEquals(Role.READER, miss.join().role());
    assertTrue(authentication.authenticate("Bearer " + key.secret()).isDone(), "then it is cached");
  }

  @Test
  void aKeyIsReadOncePerTtlSoARevocationTakesEffectWithinIt() {
    Authentication authentication = authentication(10);
    ApiKey key = stored(Role.READER, "acme", null, null);
    authentication.authenticate("Bearer " + key.secret()).join();
    table.put(key.sha256(), new StoredKey("key_test", Role.READER, "acme", key.hint(), null, NOW.minusSeconds(1)));

    nanos.set(TTL.toNanos() - 1);
    authentication.authenticate("Bearer " + key.secret()).join();
    assertEquals(1, reads.get(), "within the TTL the node trusts what it read");

    nanos.set(TTL.toNanos());
    assertThrows(CompletionException.class, () -> authentication.authenticate("Bearer " + key.secret()).join());
    assertEquals(2, reads.get());
  }

  @Test
  void theCacheHoldsAtMostItsBoundOfKeys() {
    Authentication authentication = authentication(2);
    ApiKey first = stored(Role.READER, "a", null, null);
    ApiKey second = stored(Role.READER, "b", null, null);
    ApiKey third = stored(Role.READER, "c", null, null);
    for (ApiKey key : new ApiKey[] {first, second, third}) authentication.authenticate("Bearer " + key.secret()).join();
    assertEquals(3, reads.get());

    authentication.authenticate("Bearer " + third.secret()).join();
    authentication.authenticate("Bearer " + second.secret()).join();
    assertEquals(3, reads.get(), "the two most recent are remembered");
    authentication.authenticate("Bearer " + first.secret()).join();
    assertEquals(4, reads.get(), "the least recently used was forgotten");
  }
}
