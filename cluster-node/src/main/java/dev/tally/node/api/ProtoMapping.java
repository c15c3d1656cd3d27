package dev.tally.node.api;

import com.google.protobuf.Timestamp;
import dev.tally.node.account.Draw;
import dev.tally.node.account.Grant;
import dev.tally.node.account.GrantKind;
import dev.tally.node.account.GrantLine;
import dev.tally.node.account.Labels;
import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.Outcome.BalanceView;
import dev.tally.node.account.Period;
import dev.tally.node.notify.WebhookEvent;
import dev.tally.node.terms.Cost;
import dev.tally.node.terms.Limits;
import dev.tally.node.terms.Plan;
import dev.tally.node.terms.PriceBook;
import dev.tally.node.terms.Usage;
import dev.tally.v1.Balance;
import dev.tally.v1.GrantStatement;
import java.time.Instant;
import java.util.List;

/** Conversions between the entity's records and the tally.v1 messages. */
final class ProtoMapping {

  private ProtoMapping() {}

  static Balance balance(BalanceView view) {
    return Balance.newBuilder()
        .setAvailable(view.available())
        .setHeld(view.held())
        .setDebt(view.debt())
        .setGrantedRemaining(view.grantedRemaining())
        .setOpenReservations(view.openReservations())
        .build();
  }

  static dev.tally.v1.Grant grant(Grant grant) {
    dev.tally.v1.Grant.Builder proto = dev.tally.v1.Grant.newBuilder()
        .setGrantId(grant.grantId())
        .setKind(kind(grant.kind()))
        .setAmount(grant.amount())
        .setRemaining(grant.remaining())
        .setPriority(grant.priority())
        .setEffectiveAt(timestamp(grant.effectiveAt()));
    if (grant.expiresAt() != null) proto.setExpiresAt(timestamp(grant.expiresAt()));
    return proto.build();
  }

  /** A listed grant; a finished one shows no credits remaining. */
  static GrantStatement grantStatement(GrantLine line) {
    Grant last = line.grant();
    GrantStatement.Builder proto = GrantStatement.newBuilder()
        .setGrant(grant(new Grant(last.grantId(), last.kind(), last.amount(), line.remaining(), last.priority(),
            last.effectiveAt(), last.expiresAt(), last.sequence(), last.requestId())))
        .setState(GrantStatement.State.valueOf(line.state().name()))
        .setUsed(line.used())
        .setExpired(line.expired())
        .setVoided(line.voided());
    if (line.endedAt() != null) proto.setEndedAt(timestamp(line.endedAt()));
    return proto.build();
  }

  static List<dev.tally.v1.Draw> draws(List<Draw> draws) {
    return draws.stream()
        .map(d -> dev.tally.v1.Draw.newBuilder().setGrantId(d.grantId()).setAmount(d.amount()).build())
        .toList();
  }

  static dev.tally.v1.GrantKind kind(GrantKind kind) {
    return dev.tally.v1.GrantKind.valueOf(kind.name());
  }

  /** Null for GRANT_KIND_UNSPECIFIED or an unknown number. */
  static GrantKind kind(dev.tally.v1.GrantKind kind) {
    if (kind == dev.tally.v1.GrantKind.GRANT_KIND_UNSPECIFIED || kind == dev.tally.v1.GrantKind.UNRECOGNIZED) {
      return null;
    }
    return GrantKind.valueOf(kind.name());
  }

  static Labels labels(dev.tally.v1.Labels labels) {
    return new Labels(labels.getModel(), labels.getProject(), labels.getUser(), labels.getCallType());
  }

  static dev.tally.v1.Labels labels(Labels labels) {
    return dev.tally.v1.Labels.newBuilder()
        .setModel(labels.model())
        .setProject(labels.project())
        .setUser(labels.user())
        .setCallType(labels.callType())
        .build();
  }

  /** A token estimate is priced as if the call used all its allowed output tokens. */
  static Usage usage(dev.tally.v1.UsageEstimate estimate) {
    if (estimate.hasTokens()) {
      dev.tally.v1.TokenEstimate t = estimate.getTokens();
      return new Usage.Tokens(t.getModel(), t.getInputTokens(), t.getMaxOutputTokens(), 0, 0);
    }
    return new Usage.Call(estimate.getCallType());
  }

  static Usage usage(dev.tally.v1.Usage usage) {
    if (usage.hasTokens()) {
      dev.tally.v1.TokenUsage t = usage.getTokens();
      return new Usage.Tokens(
          t.getModel(), t.getInputTokens(), t.getOutputTokens(), t.getCacheReadTokens(), t.getCacheWriteTokens());
    }
    return new Usage.Call(usage.getCallType());
  }

  static dev.tally.v1.Usage usage(Usage usage) {
    if (usage instanceof Usage.Tokens t) {
      return dev.tally.v1.Usage.newBuilder().setTokens(dev.tally.v1.TokenUsage.newBuilder()
          .setModel(t.model())
          .setInputTokens(t.inputTokens())
          .setOutputTokens(t.outputTokens())
          .setCacheReadTokens(t.cacheReadTokens())
          .setCacheWriteTokens(t.cacheWriteTokens())).build();
    }
    return dev.tally.v1.Usage.newBuilder().setCallType(usage.callType()).build();
  }

  static dev.tally.v1.Cost cost(Cost cost) {
    return dev.tally.v1.Cost.newBuilder()
        .setAmount(cost.amount())
        .setPriceBookVersion(cost.priceBookVersion())
        .setMultiplierPermille(cost.multiplierPermille())
        .build();
  }

  static dev.tally.v1.Limits limits(Limits limits) {
    return dev.tally.v1.Limits.newBuilder()
        .setRequestsPerMinute(limits.requestsPerMinute())
        .setCreditsPerMinute(limits.creditsPerMinute())
        .setConcurrentReservations(limits.concurrentReservations())
        .build();
  }

  static dev.tally.v1.Plan plan(Plan plan) {
    return dev.tally.v1.Plan.newBuilder()
        .setName(plan.name())
        .setTrialCredits(plan.trialCredits())
        .setTrialDays(plan.trialDays())
        .setMonthlyAllocation(plan.monthlyAllocation())
        .setRolloverMonths(plan.rolloverMonths())
        .setLimits(limits(plan.limits()))
        .setPriceMultiplierPermille(plan.priceMultiplierPermille())
        .addAllAlertThresholdsPercent(plan.alertThresholdsPercent())
        .setLowBalanceFloor(plan.lowBalanceFloor())
        .setReferral(dev.tally.v1.ReferralTerms.newBuilder()
            .setPercent(plan.referral().percent())
            .setFixed(plan.referral().fixed())
            .setCapPerReferredOrg(plan.referral().capPerReferredOrg())
            .setCapPerPeriod(plan.referral().capPerPeriod()))
        .build();
  }

  static dev.tally.v1.PeriodUsage period(Period period) {
    return dev.tally.v1.PeriodUsage.newBuilder()
        .setStart(timestamp(period.start()))
        .setEnd(timestamp(period.end()))
        .setAllocation(period.allocation())
        .setCharged(period.charged())
        .setCalls(period.calls())
        .putAllChargedByModel(period.chargedByModel())
        .putAllChargedByCallType(period.chargedByCallType())
        .putAllTokensByModel(period.tokensByModel())
        .setMonthlyAllocation(period.runsAt())
        .build();
  }

  static dev.tally.v1.PriceBook priceBook(PriceBook book) {
    dev.tally.v1.PriceBook.Builder proto = dev.tally.v1.PriceBook.newBuilder().setVersion(book.version());
    book.models().forEach((model, price) -> proto.addModels(dev.tally.v1.ModelPrice.newBuilder()
        .setModel(model)
        .setInputPerMillion(price.inputPerMillion())
        .setOutputPerMillion(price.outputPerMillion())
        .setCacheReadPerMillion(price.cacheReadPerMillion())
        .setCacheWritePerMillion(price.cacheWritePerMillion())));
    proto.putAllCallTypes(book.callTypes());
    return proto.build();
  }

  /** @param seqNr the alert's event in the org's journal: its event id is the one its webhook event has */
  static dev.tally.v1.Alert alert(String orgId, long seqNr, OrgEvent.AlertRaised alert) {
    return dev.tally.v1.Alert.newBuilder()
        .setOrgId(orgId)
        .setEventId(seqNr > 0 ? WebhookEvent.id(orgId, seqNr, 0) : "")
        .setKind(switch (alert.kind()) {
          case USAGE_THRESHOLD -> dev.tally.v1.Alert.Kind.USAGE_THRESHOLD;
          case LOW_BALANCE -> dev.tally.v1.Alert.Kind.LOW_BALANCE;
          case DEPLETED -> dev.tally.v1.Alert.Kind.DEPLETED;
          case RESUMED -> dev.tally.v1.Alert.Kind.RESUMED;
          case WEBHOOK_ENDPOINT_DISABLED -> dev.tally.v1.Alert.Kind.WEBHOOK_ENDPOINT_DISABLED;
        })
        .setEndpointId(alert.endpointId() == null ? "" : alert.endpointId())
        .setThresholdPercent(alert.thresholdPercent())
        .setPeriodStart(timestamp(alert.periodStart()))
        .setRaisedAt(timestamp(alert.at()))
        .setPeriodCharged(alert.periodCharged())
        .setAvailable(alert.available())
        .build();
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }
}
