package dev.tally.node.api;

import static dev.tally.node.api.ProtoMapping.draws;
import static dev.tally.node.api.ProtoMapping.labels;
import static dev.tally.node.api.ProtoMapping.timestamp;

import dev.tally.node.account.OrgEvent;
import dev.tally.v1.LedgerEntry;

/** Turns journal events into ledger entries: one flat, documented shape for every kind of event. */
final class LedgerEntries {

  private LedgerEntries() {}

  static LedgerEntry of(String orgId, long sequenceNr, OrgEvent event) {
    LedgerEntry.Builder entry = LedgerEntry.newBuilder().setSequenceNr(sequenceNr).setOccurredAt(timestamp(event.at()));
    if (event instanceof OrgEvent.Requested requested) entry.setRequestId(requested.requestId());
    if (event instanceof OrgEvent.OrgCreated e) {
      entry.setType("ORG_CREATED").setPlan(e.plan());
      if (e.requestId() != null) entry.setRequestId(e.requestId());
    } else if (event instanceof OrgEvent.CreditsGranted e) {
      entry.setType("CREDITS_GRANTED").setGrantId(e.grantId()).setAmount(e.amount());
    } else if (event instanceof OrgEvent.GrantVoided e) {
      entry.setType("GRANT_VOIDED").setGrantId(e.grantId()).setAmount(e.voided()).setReason(e.reason());
    } else if (event instanceof OrgEvent.GrantExpired e) {
      entry.setType("GRANT_EXPIRED").setGrantId(e.grantId()).setAmount(e.expired());
    } else if (event instanceof OrgEvent.GrantExpiringSoon e) {
      entry.setType("GRANT_EXPIRING_SOON").setGrantId(e.grantId()).setAmount(e.remaining());
    } else if (event instanceof OrgEvent.CreditsReserved e) {
      entry.setType("CREDITS_RESERVED").setReservationId(e.reservationId()).setAmount(e.amount())
          .setLabels(labels(e.labels())).setApiKeyId(e.apiKeyId());
    } else if (event instanceof OrgEvent.ReservationExtended e) {
      entry.setType("RESERVATION_EXTENDED").setReservationId(e.reservationId()).setAmount(e.additional());
    } else if (event instanceof OrgEvent.ReservationCommitted e) {
      entry.setType("RESERVATION_COMMITTED").setReservationId(e.reservationId()).setAmount(e.charged())
          .addAllDraws(draws(e.draws())).setDebtIncurred(e.debtIncurred()).setLabels(labels(e.labels()))
          .setApiKeyId(e.apiKeyId()).setCost(ProtoMapping.cost(e.cost()));
      if (e.usage() != null) entry.setUsage(ProtoMapping.usage(e.usage()));
    } else if (event instanceof OrgEvent.ReservationReleased e) {
      entry.setType("RESERVATION_RELEASED").setReservationId(e.reservationId()).setAmount(e.released())
          .setLabels(labels(e.labels())).setApiKeyId(e.apiKeyId());
    } else if (event instanceof OrgEvent.ReservationExpired e) {
      entry.setType("RESERVATION_EXPIRED").setReservationId(e.reservationId()).setAmount(e.released())
          .setLabels(labels(e.labels())).setApiKeyId(e.apiKeyId());
    } else if (event instanceof OrgEvent.CreditsCharged e) {
      entry.setType("CREDITS_CHARGED").setAmount(e.charged()).addAllDraws(draws(e.draws())).setLabels(labels(e.labels()))
          .setApiKeyId(e.apiKeyId()).setCost(ProtoMapping.cost(e.cost()));
      if (e.usage() != null) entry.setUsage(ProtoMapping.usage(e.usage()));
    } else if (event instanceof OrgEvent.DebtSettled e) {
      entry.setType("DEBT_SETTLED").setAmount(e.settled()).addAllDraws(draws(e.draws()));
    } else if (event instanceof OrgEvent.PlanChanged e) {
      entry.setType("PLAN_CHANGED").setPlan(e.plan());
    } else if (event instanceof OrgEvent.PlanChangeScheduled e) {
      entry.setType("PLAN_CHANGE_SCHEDULED").setPlan(e.plan());
    } else if (event instanceof OrgEvent.OverridesSet) {
      entry.setType("OVERRIDES_SET");
    } else if (event instanceof OrgEvent.AllocationRaised e) {
      entry.setType("ALLOCATION_RAISED").setAmount(e.granted());
    } else if (event instanceof OrgEvent.PeriodClosed e) {
      entry.setType("PERIOD_CLOSED").setAmount(e.period().charged());
    } else if (event instanceof OrgEvent.PeriodOpened e) {
      entry.setType("PERIOD_OPENED").setAmount(e.allocation());
    } else if (event instanceof OrgEvent.AlertRaised e) {
      entry.setType("ALERT_RAISED").setAlert(ProtoMapping.alert(orgId, sequenceNr, e));
    } else if (event instanceof OrgEvent.ReferralCodeIssued) {
      entry.setType("REFERRAL_CODE_ISSUED");
    } else if (event instanceof OrgEvent.RewardEarned e) {
      // Not the referred org's id: the referrer's ledger names no other org.
      entry.setType("REWARD_EARNED").setAmount(e.reward());
    } else if (event instanceof OrgEvent.CreditRequestDecided e) {
      entry.setType("CREDIT_REQUEST_DECIDED").setRequestId("").setCreditRequestNumber(e.number()).setAmount(e.amount())
          .setReason(e.approved() ? "APPROVED" : "DENIED");
      if (e.grantId() != null) entry.setGrantId(e.grantId());
    } else if (event instanceof OrgEvent.ApiKeyCreated e) {
      entry.setType("API_KEY_CREATED").setRequestId("").setApiKeyId(e.keyId());
    } else if (event instanceof OrgEvent.ApiKeyRevoked e) {
      entry.setType("API_KEY_REVOKED").setRequestId("").setApiKeyId(e.keyId());
    } else if (event instanceof OrgEvent.RewardsTransferred e) {
      entry.setType("REWARDS_TRANSFERRED").setGrantId(e.grantId()).setAmount(e.amount());
    }
    return entry.build();
  }
}
