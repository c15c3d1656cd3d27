package dev.tally.node.account;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * One thing a client asks of an org's account. Operations reach the entity in batches (group
 * commit); the API layer has already checked their shape, the entity decides on their meaning.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
  @JsonSubTypes.Type(Operation.CreateOrg.class),
  @JsonSubTypes.Type(Operation.GetOrg.class),
  @JsonSubTypes.Type(Operation.GetBalance.class),
  @JsonSubTypes.Type(Operation.GrantCredits.class),
  @JsonSubTypes.Type(Operation.VoidGrant.class),
  @JsonSubTypes.Type(Operation.Reserve.class),
  @JsonSubTypes.Type(Operation.Extend.class),
  @JsonSubTypes.Type(Operation.Commit.class),
  @JsonSubTypes.Type(Operation.Release.class),
  @JsonSubTypes.Type(Operation.Charge.class)
})
public sealed interface Operation extends CborSerializable {

  /** An operation that changes the account; it carries the client's id for idempotent retries. */
  sealed interface Requested extends Operation {
    String requestId();

    /** A digest of the content (everything but the request id), to tell a retry from a reuse of the id. */
    String fingerprint();
  }

  record CreateOrg(String orgId, String displayName) implements Operation {}

  record GetOrg() implements Operation {}

  record GetBalance() implements Operation {}

  /** {@code priority}, {@code effectiveAt} and {@code expiresAt} may be null: kind's default, now, never. */
  record GrantCredits(
      String requestId,
      String grantId,
      GrantKind kind,
      long amount,
      Integer priority,
      Instant effectiveAt,
      Instant expiresAt)
      implements Requested {
    @Override
    public String fingerprint() {
      return digest("grant", grantId, kind, amount, priority, effectiveAt, expiresAt);
    }
  }

  record VoidGrant(String requestId, String grantId, String reason) implements Requested {
    @Override
    public String fingerprint() {
      return digest("void", grantId, reason);
    }
  }

  record Reserve(String requestId, long amount, Duration ttl, Labels labels) implements Requested {
    @Override
    public String fingerprint() {
      return digest("reserve", amount, ttl, labels);
    }
  }

  record Extend(String requestId, String reservationId, Duration ttl, long additional) implements Requested {
    @Override
    public String fingerprint() {
      return digest("extend", reservationId, ttl, additional);
    }
  }

  record Commit(String requestId, String reservationId, long amount) implements Requested {
    @Override
    public String fingerprint() {
      return digest("commit", reservationId, amount);
    }
  }

  record Release(String requestId, String reservationId) implements Requested {
    @Override
    public String fingerprint() {
      return digest("release", reservationId);
    }
  }

  record Charge(String requestId, long amount, Labels labels) implements Requested {
    @Override
    public String fingerprint() {
      return digest("charge", amount, labels);
    }
  }

  private static String digest(Object... parts) {
    StringBuilder content = new StringBuilder();
    for (Object part : parts) content.append(part).append('\u001f');
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(content.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
