package dev.tally.node.auth;

import dev.tally.node.account.Fingerprint;
import dev.tally.node.account.Operation;
import dev.tally.node.account.Outcome;
import dev.tally.node.api.ApiKeyRegistry;
import dev.tally.node.api.TallyErrors;
import dev.tally.node.once.OrgAccounts;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts' key calls: keys go to {@link KeyTable} as their hash only, named by a random key id.
 *
 * <p>CreateApiKey and RotateApiKey remember their request id (with a fingerprint of their fields and
 * the key they made, never the key) for the idempotency window. A retry gets the same key id and hint
 * with no key, since the key is shown once; it also finishes what the first attempt may have left
 * undone (the key's row, the old key's revocation), so a retry after a failure is always safe.
 *
 * <p>A key is rotated once: the first rotation request to claim the key (a lightweight transaction on
 * a row named after the key) makes its successor; any other request rotating the same key, even at
 * the same moment, is refused API_KEY_REVOKED with the time the key stops, so no key ever has two
 * successors.
 */
public final class KeyIssuer implements ApiKeyRegistry {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Logger log = LoggerFactory.getLogger(KeyIssuer.class);
  /**
   * Names the row that says which request rotates a key: a control character, which request ids may
   * not contain, keeps it apart from every request's own row.
   */
  private static final String ROTATION_OF = "rotation\u001f";

  private final KeyTable table;
  private final Authentication authentication;
  private final Clock clock;
  private final Duration requestWindow;
  private final OrgAccounts orgs;

  /**
   * @param requestWindow how long request ids are remembered: tally.idempotency.window, as for the orgs' requests
   * @param orgs where a key of an org is told to its journal: the org's normal, batched path
   */
  public KeyIssuer(KeyTable table, Authentication authentication, Clock clock, Duration requestWindow, OrgAccounts orgs) {
    this.table = table;
    this.authentication = authentication;
    this.clock = clock;
    this.requestWindow = requestWindow;
    this.orgs = orgs;
  }

  @Override
  public CompletionStage<Issued> create(String requestId, String role, String orgId, String label, Instant expiresAt) {
    StoredKey terms = new StoredKey(null, Role.fromStoredName(role), orgId, null, expiresAt, null);
    String fingerprint = Fingerprint.of("create-api-key", terms.role().storedName(), orgId, label, expiresAt);
    return table.request(requestId).thenCompose(remembered -> {
      if (remembered.isPresent()) return replay(remembered.get(), fingerprint, terms, label);
      ApiKey key = ApiKey.generate();
      KeyTable.Request request = new KeyTable.Request(fingerprint, newKeyId(), key.sha256(), key.hint(), null);
      return table.claim(requestId, request, requestWindow).thenCompose(taken -> taken.isPresent()
          ? replay(taken.get(), fingerprint, terms, label)
          : store(request, terms, label)
              .thenCompose(done -> tellMade(request.keyId(), terms, label, null))
              .thenApply(done -> new Issued(key.secret(), key.hint(), request.keyId(), false)));
    });
  }

  /** A retry: the same content gets the key made the first time (stored now if the first attempt could not), without the key. */
  private CompletionStage<Issued> replay(KeyTable.Request made, String fingerprint, StoredKey terms, String label) {
    if (!made.fingerprint().equals(fingerprint)) return CompletableFuture.failedFuture(TallyErrors.keyRequestReused());
    return store(made, terms, label)
        .thenCompose(done -> tellMade(made.keyId(), terms, label, null))
        .thenApply(done -> new Issued("", made.hint(), made.keyId(), true));
  }

  private CompletionStage<?> store(KeyTable.Request made, StoredKey terms, String label) {
    StoredKey key = new StoredKey(made.keyId(), terms.role(), terms.orgId(), made.hint(), terms.expiresAt(), null);
    return table.insert(made.keySha256(), key, label, clock.instant());
  }

  @Override
  public CompletionStage<Boolean> revoke(String keyId, String ownOrg) {
    return table.findById(keyId).thenCompose(found -> {
      if (!visibleTo(found, ownOrg)) return CompletableFuture.completedFuture(false);
      KeyTable.KeyRow key = found.get();
      Instant now = clock.instant();
      Instant before = key.key().revokedAt();
      Instant stops = before != null && !before.isAfter(now) ? before : now;
      return revokeFrom(key, now).thenCompose(revoked -> stops.plus(requestWindow).isBefore(now)
          ? CompletableFuture.completedFuture(revoked)
          : tell(key.key().orgId(), revokedRecord(key, stops)).thenApply(done -> revoked));
    });
  }

  /**
   * Whether the key is there for a caller bound to {@code ownOrg} (an owner key; null: an admin key, every key):
   * another org's key and an admin key are, to an owner, not there at all.
   */
  private static boolean visibleTo(Optional<KeyTable.KeyRow> found, String ownOrg) {
    return found.isPresent() && (ownOrg == null || ownOrg.equals(found.get().key().orgId()));
  }

  /** This node stops at once; the others when their cached copy is older than tally.auth.key-cache-ttl. */
  private CompletionStage<Boolean> revokeFrom(KeyTable.KeyRow key, Instant at) {
    return table.revoke(key.sha256(), at).whenComplete((revoked, failure) -> authentication.forget(key.sha256()));
  }

  @Override
  public CompletionStage<Rotated> rotate(String requestId, String keyId, Duration gracePeriod, String ownOrg) {
    String fingerprint = Fingerprint.of("rotate-api-key", keyId, gracePeriod);
    return table.request(requestId).thenCompose(remembered -> table.findById(keyId).thenCompose(found -> {
      // Before the request's memory: no owner learns anything of another org's key, not even a rotation's hint.
      if (!visibleTo(found, ownOrg)) return CompletableFuture.failedFuture(TallyErrors.apiKeyNotFound());
      if (remembered.isPresent()) return replayRotation(requestId, remembered.get(), fingerprint, found);
      KeyTable.KeyRow old = found.get();
      // To the millisecond, as Cassandra keeps it: a retry answers with the same instant.
      Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
      if (old.key().revokedAt() != null) {
        return CompletableFuture.failedFuture(TallyErrors.apiKeyRevoked("revoked_at", old.key().revokedAt()));
      }
      if (old.key().expiresAt() != null && !now.isBefore(old.key().expiresAt())) {
        return CompletableFuture.failedFuture(TallyErrors.apiKeyRevoked("expires_at", old.key().expiresAt()));
      }
      ApiKey key = ApiKey.generate();
      KeyTable.Request request = new KeyTable.Request(fingerprint, newKeyId(), key.sha256(), key.hint(), now.plus(gracePeriod));
      return table.claim(requestId, request, requestWindow).thenCompose(taken -> taken.isPresent()
          ? replayRotation(requestId, taken.get(), fingerprint, found)
          : finishRotation(requestId, request, old).thenApply(done ->
              new Rotated(new Issued(key.secret(), key.hint(), request.keyId(), false), request.oldKeyRevokedAt())));
    }));
  }

  private CompletionStage<Rotated> replayRotation(
      String requestId, KeyTable.Request made, String fingerprint, Optional<KeyTable.KeyRow> old) {
    if (!made.fingerprint().equals(fingerprint)) return CompletableFuture.failedFuture(TallyErrors.keyRequestReused());
    // The fingerprint names the old key's id: it was found when the request was first made, and keys are never deleted.
    return finishRotation(requestId, made, old.orElseThrow()).thenApply(done ->
        new Rotated(new Issued("", made.hint(), made.keyId(), true), made.oldKeyRevokedAt()));
  }

  /**
   * Claims the old key for this rotation request, or finds it claimed by this request before (a
   * retry); refused when another request rotates it. The claim outlives the request window only as
   * long as needed: by then the old key's revocation is written, which refuses later rotations.
   */
  private CompletionStage<?> claimRotation(String requestId, KeyTable.Request made, KeyTable.KeyRow old) {
    KeyTable.Request claim =
        new KeyTable.Request(requestId, made.keyId(), made.keySha256(), made.hint(), made.oldKeyRevokedAt());
    return table.claim(ROTATION_OF + old.keyId(), claim, requestWindow).thenCompose(taken -> {
      if (taken.isEmpty() || taken.get().fingerprint().equals(requestId)) return CompletableFuture.completedFuture(null);
      return CompletableFuture.failedFuture(TallyErrors.apiKeyRevoked("revoked_at", taken.get().oldKeyRevokedAt()));
    });
  }

  /**
   * The new key like the old one, and the old one revoked at the end of the grace (sooner if it is
   * revoked sooner); then both told to the org.
   */
  private CompletionStage<?> finishRotation(String requestId, KeyTable.Request made, KeyTable.KeyRow old) {
    return claimRotation(requestId, made, old)
        .thenCompose(claimed -> store(made, old.key(), old.label()))
        .thenCompose(done -> revokeFrom(old, made.oldKeyRevokedAt()))
        .thenCompose(revoked -> tellMade(made.keyId(), old.key(), old.label(), old.keyId()))
        .thenCompose(told -> tell(old.key().orgId(), revokedRecord(old, made.oldKeyRevokedAt())));
  }

  private CompletionStage<Void> tellMade(String keyId, StoredKey terms, String label, String rotatedFrom) {
    return tell(terms.orgId(), new Operation.RecordApiKeyCreated(keyId, terms.role().storedName(), orEmpty(label), rotatedFrom));
  }

  private static Operation revokedRecord(KeyTable.KeyRow key, Instant stops) {
    return new Operation.RecordApiKeyRevoked(key.keyId(), key.key().role().storedName(), orEmpty(key.label()), stops);
  }

  /**
   * Has {@code record} written in {@code orgId}'s journal (once: see {@link Operation.RecordApiKeyCreated});
   * nothing for an admin key (no org) or an org that does not exist. Fails when the org's account could
   * not be reached or did not answer, so the call fails and its retry sends it again.
   */
  private CompletionStage<Void> tell(String orgId, Operation record) {
    if (orgId == null) return CompletableFuture.completedFuture(null);
    return orgs.execute(orgId, record).thenAccept(outcome -> {
      if (outcome instanceof Outcome.Done) return;
      if (outcome instanceof Outcome.Rejected rejected) {
        if (rejected.reason() != Outcome.Rejection.ORG_NOT_FOUND) {
          log.warn("org {} refused the record of key {}: {} {}", orgId, record, rejected.reason(), rejected.message());
        }
        return;
      }
      if (outcome instanceof Outcome.Unavailable unavailable) throw TallyErrors.unavailable(unavailable);
      throw TallyErrors.failed((Outcome.Failed) outcome);
    });
  }

  private static String orEmpty(String text) {
    return text == null ? "" : text;
  }

  @Override
  public CompletionStage<Page> list(String orgId, int pageSize, Long after) {
    return table.list(orgId, after == null ? Long.MIN_VALUE : after, pageSize).thenApply(page -> new Page(
        page.rows().stream().map(positioned -> listed(positioned.row())).toList(),
        page.more() ? page.rows().get(page.rows().size() - 1).position() : null));
  }

  private static Listed listed(KeyTable.KeyRow row) {
    StoredKey key = row.key();
    return new Listed(row.keyId(), key.hint(), key.role().storedName(), key.orgId(), row.label(), row.createdAt(),
        key.expiresAt(), key.revokedAt());
  }

  private static String newKeyId() {
    byte[] random = new byte[12];
    RANDOM.nextBytes(random);
    return "key_" + HexFormat.of().formatHex(random);
  }
}
