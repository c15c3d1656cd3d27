package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import dev.tally.node.terms.Cost;
import dev.tally.node.terms.Overrides;
import dev.tally.node.terms.Usage;
import java.time.Instant;
import java.util.List;

/** What happened to an org's account: the journal, and so the audit ledger. Never deleted. */
public sealed interface OrgEvent extends CborSerializable {

  /** When it happened (for expiries: the moment the reservation or grant expired). */
  Instant at();

  /**
   * An event caused by a client request; the request's id and content digest make retries
   * idempotent. Both are empty for what the account does on its own (a plan's trial or allocation).
   */
  sealed interface Requested extends OrgEvent {
    String requestId();

    String fingerprint();
  }

  /**
   * {@code requestId} is null in events written before it was recorded. {@code referredBy} is the org
   * whose referral code the creation carried (null: none, and in events written before referrals).
   */
  record OrgCreated(String requestId, String orgId, String displayName, String plan, Instant at, String referredBy)
      implements OrgEvent {
    public OrgCreated(String requestId, String orgId, String displayName, String plan, Instant at) {
      this(requestId, orgId, displayName, plan, at, null);
    }
  }

  /** The org's referral code, issued the first time it was asked for; it never changes. */
  record ReferralCodeIssued(String code, Instant at) implements OrgEvent {}

  /**
   * A purchase of {@code referredOrgId}, an org this org referred, earned {@code reward} µcr (0 when a
   * cap was reached) into the reward balance, in the billing period that started at {@code periodStart}.
   * The request id is derived from the purchase's payment reference: one reward per purchase.
   */
  record RewardEarned(
      String requestId, String fingerprint, String referredOrgId, long purchased, long reward, Instant periodStart,
      Instant at)
      implements Requested {}

  /** The whole reward balance, {@code amount}, left it for grant {@code grantId}, a CreditsGranted of the same moment. */
  record RewardsTransferred(String grantId, long amount, Instant at) implements OrgEvent {}

  /**
   * The org is on {@code plan} from {@code at}: at once on a request, or at a period's end, written
   * by the account (empty request id) for a change scheduled then.
   */
  record PlanChanged(String requestId, String fingerprint, String plan, Instant at) implements Requested {}

  /**
   * A downgrade was asked for: the org moves to {@code plan} at {@code effectiveAt}, the end of the
   * period (a PlanChanged then). Until then it keeps its plan; a later change replaces this one.
   */
  record PlanChangeScheduled(String requestId, String fingerprint, String plan, Instant effectiveAt, Instant at)
      implements Requested {}

  /**
   * An upgrade raised the monthly allocation the period starting {@code periodStart} runs at to
   * {@code monthlyAllocation}; {@code granted} is its prorated difference for the rest of the period,
   * issued by a CreditsGranted at the same moment when above 0.
   */
  record AllocationRaised(Instant periodStart, long monthlyAllocation, long granted, Instant at) implements OrgEvent {}

  record OverridesSet(String requestId, String fingerprint, Overrides overrides, Instant at) implements Requested {}

  /** A billing period ended; {@code period} holds its totals. */
  record PeriodClosed(Period period, Instant at) implements OrgEvent {}

  /** A billing period began; the plan's allocation for it is issued by a CreditsGranted at the same moment. */
  record PeriodOpened(Instant start, Instant end, long allocation, Instant at) implements OrgEvent {}

  enum AlertKind {
    USAGE_THRESHOLD,
    LOW_BALANCE,
    /** Nothing is left to spend: every reserve is refused until credits are available again. */
    DEPLETED,
    /** Credits are available again after a DEPLETED. */
    RESUMED,
    /** One of the org's webhook endpoints failed every delivery too long and was disabled ({@code endpointId}). */
    WEBHOOK_ENDPOINT_DISABLED
  }

  /**
   * A charge crossed a usage threshold (percent of the allocation) or the low-balance floor: once per
   * period. Or the account was depleted or resumed: on each change, alternately ({@code thresholdPercent} 0).
   * Or a webhook endpoint of the org, {@code endpointId}, was disabled; null for every other kind (and in
   * events written before it was kept).
   */
  record AlertRaised(
      AlertKind kind, int thresholdPercent, Instant periodStart, long periodCharged, long available, Instant at,
      String endpointId)
      implements OrgEvent {
    public AlertRaised(
        AlertKind kind, int thresholdPercent, Instant periodStart, long periodCharged, long available, Instant at) {
      this(kind, thresholdPercent, periodStart, periodCharged, available, at, null);
    }
  }

  /**
   * An operator decided the org's credit request {@code number}: approved, its PROMOTION grant
   * {@code grantId} of {@code amount} given already, or denied ({@code grantId} null). Written by the
   * node, once per request (see {@link Operation.RecordCreditRequestDecided}).
   */
  record CreditRequestDecided(
      String requestId, String fingerprint, long number, boolean approved, long amount, String grantId, Instant at)
      implements Requested {}

  /**
   * API key {@code keyId} of the org was made, with {@code role} and {@code label} (never the key);
   * {@code rotatedFrom}: the key it replaces, null for a new one. Written by the node, once per key.
   */
  record ApiKeyCreated(
      String requestId, String fingerprint, String keyId, String role, String label, String rotatedFrom, Instant at)
      implements Requested {}

  /**
   * API key {@code keyId} of the org stops working at {@code revokedAt}: at {@code at} for a
   * revocation, the end of the grace for a rotated-out key. Written by the node, once per key.
   */
  record ApiKeyRevoked(
      String requestId, String fingerprint, String keyId, String role, String label, Instant revokedAt, Instant at)
      implements Requested {}

  record CreditsGranted(
      String requestId,
      String fingerprint,
      String grantId,
      GrantKind kind,
      long amount,
      int priority,
      Instant effectiveAt,
      Instant expiresAt,
      Instant at)
      implements Requested {}

  record GrantVoided(String requestId, String fingerprint, String grantId, long voided, String reason, Instant at)
      implements Requested {}

  record GrantExpired(String grantId, long expired, Instant at) implements OrgEvent {}

  /**
   * Grant {@code grantId} expires at {@code expiresAt} with {@code remaining} µcr left: its org is told
   * once, the expiry notice before (or at once for a grant given closer to its expiry).
   */
  record GrantExpiringSoon(String grantId, long remaining, Instant expiresAt, Instant at) implements OrgEvent {}

  record CreditsReserved(
      String requestId,
      String fingerprint,
      String reservationId,
      long amount,
      Instant expiresAt,
      Labels labels,
      String apiKeyId,
      Instant at)
      implements Requested {
    public CreditsReserved {
      labels = Labels.orNone(labels);
      apiKeyId = Labels.keyOrNone(apiKeyId);
    }
  }

  record ReservationExtended(
      String requestId, String fingerprint, String reservationId, long additional, Instant expiresAt, Instant at)
      implements Requested {}

  /**
   * {@code charged} = covered by {@code draws} + {@code debtIncurred}; the hold's rest is released.
   * {@code usage} is null when the caller gave a plain amount.
   */
  record ReservationCommitted(
      String requestId,
      String fingerprint,
      String reservationId,
      long held,
      long charged,
      List<Draw> draws,
      long debtIncurred,
      Labels labels,
      String apiKeyId,
      Usage usage,
      Cost cost,
      Instant at)
      implements Requested {
    public ReservationCommitted {
      labels = Labels.orNone(labels);
      apiKeyId = Labels.keyOrNone(apiKeyId);
    }
  }

  /** {@code labels} and {@code apiKeyId} are the hold's ({@link Labels#NONE} and "" in events written before they were). */
  record ReservationReleased(
      String requestId, String fingerprint, String reservationId, long released, Labels labels, String apiKeyId,
      Instant at) implements Requested {
    public ReservationReleased {
      labels = Labels.orNone(labels);
      apiKeyId = Labels.keyOrNone(apiKeyId);
    }
  }

  /** {@code labels} and {@code apiKeyId} are the hold's ({@link Labels#NONE} and "" in events written before they were). */
  record ReservationExpired(String reservationId, long released, Labels labels, String apiKeyId, Instant at)
      implements OrgEvent {
    public ReservationExpired {
      labels = Labels.orNone(labels);
      apiKeyId = Labels.keyOrNone(apiKeyId);
    }
  }

  /** A one-step charge: reserve and commit at once. {@code usage} is null for a plain amount. */
  record CreditsCharged(
      String requestId,
      String fingerprint,
      long charged,
      List<Draw> draws,
      Labels labels,
      String apiKeyId,
      Usage usage,
      Cost cost,
      Instant at)
      implements Requested {
    public CreditsCharged {
      labels = Labels.orNone(labels);
      apiKeyId = Labels.keyOrNone(apiKeyId);
    }
  }

  /** Free credits paid off debt. */
  record DebtSettled(long settled, List<Draw> draws, Instant at) implements OrgEvent {}
}
