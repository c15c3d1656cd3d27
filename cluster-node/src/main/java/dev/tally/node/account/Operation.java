package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.terms.Overrides;
import dev.tally.node.terms.Usage;
import java.time.Duration;
import java.time.Instant;

/**
 * One thing a client asks of an org's account. Operations reach the entity in batches (group
 * commit); the API layer has already checked their shape, the entity decides on their meaning.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
  @JsonSubTypes.Type(Operation.CreateOrg.class),
  @JsonSubTypes.Type(Operation.GetOrg.class),
  @JsonSubTypes.Type(Operation.GetBalance.class),
  @JsonSubTypes.Type(Operation.ListGrants.class),
  @JsonSubTypes.Type(Operation.GrantCredits.class),
  @JsonSubTypes.Type(Operation.VoidGrant.class),
  @JsonSubTypes.Type(Operation.Reserve.class),
  @JsonSubTypes.Type(Operation.Extend.class),
  @JsonSubTypes.Type(Operation.Commit.class),
  @JsonSubTypes.Type(Operation.Release.class),
  @JsonSubTypes.Type(Operation.Charge.class),
  @JsonSubTypes.Type(Operation.SetPlan.class),
  @JsonSubTypes.Type(Operation.SetOverrides.class),
  @JsonSubTypes.Type(Operation.GetReferral.class),
  @JsonSubTypes.Type(Operation.CreditReward.class),
  @JsonSubTypes.Type(Operation.TransferRewards.class),
  @JsonSubTypes.Type(Operation.RecordEndpointDisabled.class),
  @JsonSubTypes.Type(Operation.RecordCreditRequestDecided.class),
  @JsonSubTypes.Type(Operation.RecordApiKeyCreated.class),
  @JsonSubTypes.Type(Operation.RecordApiKeyRevoked.class)
})
public sealed interface Operation extends CborSerializable {

  /** An operation that changes the account; it carries the client's id for idempotent retries. */
  sealed interface Requested extends Operation {
    String requestId();

    /** A digest of the content (everything but the request id), to tell a retry from a reuse of the id. */
    String fingerprint();
  }

  /**
   * {@code plan} names a plan of the catalog; its trial credits and first allocation are issued. A
   * retry is told apart by its content (the same name, plan and referrer answer the org), not by
   * {@code requestId}, which the ledger records. {@code referredBy}: the org whose referral code the
   * request carried, resolved by the API (null: none); never the org itself.
   */
  record CreateOrg(String requestId, String orgId, String displayName, String plan, String referredBy)
      implements Operation {
    public CreateOrg(String requestId, String orgId, String displayName, String plan) {
      this(requestId, orgId, displayName, plan, null);
    }
  }

  /**
   * The org's referral and rewards. An org without a referral code yet is given {@code codeIfNone}
   * (drawn at random by the API, so deciding stays pure); one that has a code keeps it.
   */
  record GetReferral(String codeIfNone) implements Operation {}

  /**
   * A purchase of {@code purchased} µcr by {@code referredOrgId}, an org this org referred, earns a
   * reward. {@code requestId} is derived from the purchase's payment reference.
   */
  record CreditReward(String requestId, String referredOrgId, long purchased) implements Requested {
    @Override
    public String fingerprint() {
      return Fingerprint.of("reward", referredOrgId, purchased);
    }
  }

  /** Moves the whole reward balance into a REFERRAL grant named {@link #grantId()}. */
  record TransferRewards(String requestId) implements Requested {
    @Override
    public String fingerprint() {
      return Fingerprint.of("transfer-rewards");
    }

    public String grantId() {
      return "referral-" + requestId;
    }
  }

  /** Moves the org to {@code plan}: an upgrade at once, a downgrade at the period's end ({@link Subscription}). */
  record SetPlan(String requestId, String plan) implements Requested {
    @Override
    public String fingerprint() {
      return Fingerprint.of("plan", plan);
    }
  }

  /**
   * Replaces the org's overrides. A raised allocation applies at once, prorated like an upgrade
   * ({@link Subscription}); a lowered one from the next period.
   */
  record SetOverrides(String requestId, Overrides overrides) implements Requested {
    /**
     * Overrides without an allocation or rollover of the org's own are digested in the shape they
     * had before those existed, so a retry sent across that upgrade is still told a retry (rule 6).
     */
    @Override
    public String fingerprint() {
      return Fingerprint.of("overrides", overrides.hasOwnAllocationTerms() ? overrides : FormerShape.Overrides.of(overrides));
    }
  }

  /** Shapes requests were digested in before they grew (their simple names are part of the digest). */
  final class FormerShape {
    private FormerShape() {}

    /** {@link dev.tally.node.terms.Overrides} before the org's own allocation and rollover. */
    record Overrides(
        Long requestsPerMinute,
        Long creditsPerMinute,
        Integer concurrentReservations,
        Integer priceMultiplierPermille,
        java.util.List<Integer> alertThresholdsPercent,
        Long lowBalanceFloor) {
      static Overrides of(dev.tally.node.terms.Overrides o) {
        return new Overrides(o.requestsPerMinute(), o.creditsPerMinute(), o.concurrentReservations(),
            o.priceMultiplierPermille(), o.alertThresholdsPercent(), o.lowBalanceFloor());
      }
    }
  }

  record GetOrg() implements Operation {}

  /**
   * The webhook dispatcher disabled the org's endpoint {@code endpointId} (it failed every delivery too
   * long): the org is told by an alert in its journal, which its other endpoints, alert watchers and
   * ledger see. Sent by the node, not a client; a second one for the same disabling writes a second alert.
   */
  record RecordEndpointDisabled(String endpointId) implements Operation {}

  /**
   * Names the request id of a record the node sends the org on its own (a credit request decided, a
   * key made or revoked): {@code what}, a unit separator, then what it is about. Clients' request ids
   * may not hold control characters, so no client can take such an id first and have the record
   * refused as a reuse (IDEMPOTENCY_MISMATCH).
   */
  static String nodeRequestId(String what, Object about) {
    return what + '\u001f' + about;
  }

  /**
   * An operator decided the org's credit request {@code number} (issue 19 item 2): approved, with its
   * PROMOTION grant {@code grantId} of {@code amount}, or denied ({@code grantId} null). Sent by the
   * credit requests' entity, not a client, once the decision is final (an approval once the org holds
   * its grant); recorded once per request: the request id is derived from the number, so a resend,
   * whether a retried decision or a redelivered send, is answered from the account's request memory
   * (bounded like every request's: tally.idempotency.window and max-entries) without a second event.
   */
  record RecordCreditRequestDecided(long number, boolean approved, long amount, String grantId) implements Requested {
    @Override
    public String requestId() {
      return nodeRequestId("credit-request-decided", number);
    }

    @Override
    public String fingerprint() {
      return Fingerprint.of("credit-request-decided", number, approved, amount, grantId);
    }
  }

  /**
   * API key {@code keyId} of the org was made (CreateApiKey, or RotateApiKey: {@code rotatedFrom} the
   * key it replaces, else null) with {@code role} and {@code label}: never the key itself. Recorded
   * once per key (the request id is derived from the key id).
   */
  record RecordApiKeyCreated(String keyId, String role, String label, String rotatedFrom) implements Requested {
    @Override
    public String requestId() {
      return nodeRequestId("api-key-created", keyId);
    }

    @Override
    public String fingerprint() {
      return Fingerprint.of("api-key-created", keyId, role, label, rotatedFrom);
    }
  }

  /**
   * API key {@code keyId} of the org stops working at {@code revokedAt}: now (RevokeApiKey) or at the
   * end of a rotation's grace. Recorded once per key, for its first revocation: the request id is
   * derived from the key id only, and the fingerprint too, so a later, sooner revocation of a key whose
   * rotation was recorded is answered as done (the org was told it stops).
   */
  record RecordApiKeyRevoked(String keyId, String role, String label, Instant revokedAt) implements Requested {
    @Override
    public String requestId() {
      return nodeRequestId("api-key-revoked", keyId);
    }

    @Override
    public String fingerprint() {
      return Fingerprint.of("api-key-revoked", keyId);
    }
  }

  record GetBalance() implements Operation {}

  /** Up to {@code limit} of the org's grants, active and finished, given after its {@code after}-th grant. */
  record ListGrants(long after, int limit) implements Operation {}

  /** {@code priority}, {@code effectiveAt} and {@code expiresAt} may be null: {@link Grants#DEFAULT_PRIORITY}, now, never. */
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
      return Fingerprint.of("grant", grantId, kind, amount, priority, effectiveAt, expiresAt);
    }
  }

  record VoidGrant(String requestId, String grantId, String reason) implements Requested {
    @Override
    public String fingerprint() {
      return Fingerprint.of("void", grantId, reason);
    }
  }

  /**
   * Holds {@code amount}, or when {@code estimate} is set, the price of that estimate, for the API key
   * {@code apiKeyId} ("" when unknown), which is not part of the fingerprint.
   */
  record Reserve(String requestId, long amount, Usage estimate, Duration ttl, Labels labels, String apiKeyId)
      implements Requested {
    public Reserve(String requestId, long amount, Usage estimate, Duration ttl, Labels labels) {
      this(requestId, amount, estimate, ttl, labels, "");
    }

    @Override
    public String fingerprint() {
      return Fingerprint.of("reserve", amount, estimate, ttl, labels);
    }
  }

  record Extend(String requestId, String reservationId, Duration ttl, long additional) implements Requested {
    @Override
    public String fingerprint() {
      return Fingerprint.of("extend", reservationId, ttl, additional);
    }
  }

  /** Charges {@code amount}, or when {@code usage} is set, the price of that usage. */
  record Commit(String requestId, String reservationId, long amount, Usage usage) implements Requested {
    @Override
    public String fingerprint() {
      return Fingerprint.of("commit", reservationId, amount, usage);
    }
  }

  record Release(String requestId, String reservationId) implements Requested {
    @Override
    public String fingerprint() {
      return Fingerprint.of("release", reservationId);
    }
  }

  /**
   * Charges {@code amount}, or when {@code usage} is set, the price of that usage, for the API key
   * {@code apiKeyId} ("" when unknown), which is not part of the fingerprint.
   */
  record Charge(String requestId, long amount, Usage usage, Labels labels, String apiKeyId) implements Requested {
    public Charge(String requestId, long amount, Usage usage, Labels labels) {
      this(requestId, amount, usage, labels, "");
    }

    @Override
    public String fingerprint() {
      return Fingerprint.of("charge", amount, usage, labels);
    }
  }
}
