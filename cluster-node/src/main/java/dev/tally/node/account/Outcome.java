package dev.tally.node.account;

import dev.tally.node.CborSerializable;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tally.node.terms.Cost;
import dev.tally.node.terms.Plan;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The entity's answer to one operation of a batch. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
  @JsonSubTypes.Type(Outcome.Done.class),
  @JsonSubTypes.Type(Outcome.Rejected.class),
  @JsonSubTypes.Type(Outcome.Failed.class),
  @JsonSubTypes.Type(Outcome.Unavailable.class)
})
public sealed interface Outcome extends CborSerializable {

  /** The operation succeeded (or is a retry of one that did); the balance is the one right after. */
  record Done(Result result, BalanceView balance) implements Outcome {}

  /** The operation was refused; nothing changed. {@code facts} carry numbers a program may act on. */
  record Rejected(Rejection reason, String message, Map<String, String> facts) implements Outcome {}

  /** Deciding or applying the operation threw: a bug. Nothing of it was written; the caller sees INTERNAL. */
  record Failed(String description) implements Outcome {}

  /**
   * The account could not reach the storage its decision needed (the request table): nothing of the
   * operation was written; the caller retries with the same request id.
   */
  record Unavailable(String description) implements Outcome {}

  enum Rejection {
    CREDITS_EXHAUSTED,
    RATE_LIMITED,
    ORG_NOT_FOUND,
    ORG_EXISTS,
    GRANT_NOT_FOUND,
    GRANT_EXISTS,
    RESERVATION_NOT_FOUND,
    RESERVATION_RESOLVED,
    IDEMPOTENCY_MISMATCH,
    ACCOUNT_LIMIT,
    /** TransferRewards with an empty reward balance. */
    NO_REWARDS
  }

  record BalanceView(long available, long held, long debt, long grantedRemaining, int openReservations)
      implements CborSerializable {}

  /** What an operation produced. The results of account changes are remembered for retries. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  @JsonSubTypes({
    @JsonSubTypes.Type(OrgInfo.class),
    @JsonSubTypes.Type(Statement.class),
    @JsonSubTypes.Type(GrantList.class),
    @JsonSubTypes.Type(Granted.class),
    @JsonSubTypes.Type(Voided.class),
    @JsonSubTypes.Type(Reserved.class),
    @JsonSubTypes.Type(Extended.class),
    @JsonSubTypes.Type(Committed.class),
    @JsonSubTypes.Type(Released.class),
    @JsonSubTypes.Type(Charged.class),
    @JsonSubTypes.Type(TermsSet.class),
    @JsonSubTypes.Type(ReferralView.class),
    @JsonSubTypes.Type(Rewarded.class),
    @JsonSubTypes.Type(Recorded.class)
  })
  sealed interface Result extends CborSerializable {}

  /**
   * {@code referredBy}: the org that referred this one (null: none). Only the node reads it: the API shows no org
   * another's id. {@code nextPlan} is null unless a downgrade is scheduled.
   */
  record OrgInfo(String orgId, String displayName, Instant createdAt, String plan, String referredBy, NextPlan nextPlan)
      implements Result {}

  /**
   * The balance view: grants with credits remaining in draw order, the terms in force, the period's
   * usage and a scheduled downgrade (or null).
   */
  record Statement(List<Grant> grants, String plan, Plan terms, Period period, NextPlan nextPlan) implements Result {}

  /** A downgrade waiting for the period's end: the org moves to {@code plan} at {@code at}. */
  record NextPlan(String plan, Instant at) implements CborSerializable {}

  /** A page of the org's grants in the order they were given; {@code more} when later ones follow. */
  record GrantList(List<GrantLine> grants, boolean more) implements Result {}

  /** What the node told the org (a credit request decided, a key made or revoked) is in its journal, since {@code at}. */
  record Recorded(Instant at) implements Result {}

  /** A plan change or new overrides took effect. */
  record TermsSet(String plan) implements Result {}

  record Granted(Grant grant) implements Result {}

  /**
   * An org's referral: its code, whether another org referred it, its reward balance (not spendable),
   * what it earned and moved to its credits ever, what it earned in the current period, and how many
   * referred orgs' purchases earned it a reward.
   */
  record ReferralView(
      String code, boolean referred, long balance, long earned, long transferred, long earnedThisPeriod, int rewardingOrgs)
      implements Result {}

  /** A referred org's purchase earned {@code reward} µcr (0: a cap was reached). */
  record Rewarded(long reward) implements Result {}

  record Voided(long voided) implements Result {}

  record Reserved(String reservationId, long held, Instant expiresAt) implements Result {}

  record Extended(long held, Instant expiresAt) implements Result {}

  record Committed(long charged, long released, long debtIncurred, List<Draw> draws, Cost cost) implements Result {}

  record Released(long released) implements Result {}

  record Charged(long charged, List<Draw> draws, Cost cost) implements Result {}
}
