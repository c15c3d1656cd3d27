package dev.tally.node.notify;

import dev.tally.node.account.OrgEvent;
import dev.tally.node.account.OrgEvent.AlertKind;
import dev.tally.node.account.OrgEvent.AlertRaised;
import dev.tally.node.account.OrgEvent.CreditsGranted;
import dev.tally.node.account.OrgEvent.GrantExpired;
import dev.tally.node.account.OrgEvent.PeriodClosed;
import dev.tally.node.account.Period;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which webhook events an org's journal event makes: the one place that says so (payloads in
 * docs/webhooks/*.schema.json, amounts in µcr as JSON integers, times as RFC 3339 strings). No
 * payload carries a secret, a request id or the labels a caller sent with a call (an API key's label,
 * its maker's name for it, is the key's events' own).
 *
 * <p>A credit request decided and an API key made or revoked are in the org's journal too: the node
 * records them there once each ({@code Operation.RecordCreditRequestDecided}, {@code RecordApiKeyCreated},
 * {@code RecordApiKeyRevoked}), so their ids are journal-derived like every other event's. An admin
 * key has no org and makes no event.
 */
public final class WebhookEvents {

  private WebhookEvents() {}

  /** The webhook events of the org's journal event {@code seqNr}, in index order; none for most. */
  public static List<WebhookEvent> of(String orgId, long seqNr, OrgEvent event) {
    if (event instanceof AlertRaised alert && alert.kind() == AlertKind.USAGE_THRESHOLD) {
      return one(orgId, seqNr, EventType.USAGE_THRESHOLD_REACHED, alert.at(), fields(
          "threshold_percent", alert.thresholdPercent(),
          "period_start", text(alert.periodStart()),
          "period_charged", alert.periodCharged(),
          "available", alert.available()));
    }
    if (event instanceof AlertRaised alert && alert.kind() == AlertKind.LOW_BALANCE) {
      return one(orgId, seqNr, EventType.BALANCE_LOW, alert.at(), fields(
          "period_start", text(alert.periodStart()),
          "period_charged", alert.periodCharged(),
          "available", alert.available()));
    }
    if (event instanceof AlertRaised alert && alert.kind() == AlertKind.DEPLETED) {
      return one(orgId, seqNr, EventType.ACCOUNT_DEPLETED, alert.at(), fields(
          "period_start", text(alert.periodStart()),
          "period_charged", alert.periodCharged(),
          "available", alert.available()));
    }
    if (event instanceof AlertRaised alert && alert.kind() == AlertKind.RESUMED) {
      return one(orgId, seqNr, EventType.ACCOUNT_RESUMED, alert.at(), fields(
          "available", alert.available()));
    }
    if (event instanceof AlertRaised alert && alert.kind() == AlertKind.WEBHOOK_ENDPOINT_DISABLED) {
      return one(orgId, seqNr, EventType.WEBHOOK_ENDPOINT_DISABLED, alert.at(), fields(
          "endpoint_id", alert.endpointId()));
    }
    if (event instanceof OrgEvent.CreditRequestDecided decided) {
      return one(orgId, seqNr, EventType.CREDIT_REQUEST_DECIDED, decided.at(), fields(
          "credit_request_number", decided.number(),
          "decision", decided.approved() ? "APPROVED" : "DENIED",
          "amount", decided.amount(),
          "grant_id", decided.grantId()));
    }
    if (event instanceof OrgEvent.ApiKeyCreated created) {
      return one(orgId, seqNr, EventType.API_KEY_CREATED, created.at(), fields(
          "key_id", created.keyId(),
          "role", created.role(),
          "label", created.label() == null ? "" : created.label(),
          "rotated_from", created.rotatedFrom()));
    }
    if (event instanceof OrgEvent.ApiKeyRevoked revoked) {
      return one(orgId, seqNr, EventType.API_KEY_REVOKED, revoked.at(), fields(
          "key_id", revoked.keyId(),
          "role", revoked.role(),
          "label", revoked.label() == null ? "" : revoked.label(),
          "revoked_at", text(revoked.revokedAt())));
    }
    if (event instanceof CreditsGranted granted) {
      return one(orgId, seqNr, EventType.CREDITS_GRANTED, granted.at(), fields(
          "grant_id", granted.grantId(),
          "kind", granted.kind().name(),
          "amount", granted.amount(),
          "priority", granted.priority(),
          "effective_at", text(granted.effectiveAt() != null ? granted.effectiveAt() : granted.at()),
          "expires_at", text(granted.expiresAt())));
    }
    if (event instanceof GrantExpired expired) {
      return one(orgId, seqNr, EventType.GRANT_EXPIRED, expired.at(), fields(
          "grant_id", expired.grantId(),
          "expired", expired.expired()));
    }
    if (event instanceof OrgEvent.GrantExpiringSoon soon) {
      return one(orgId, seqNr, EventType.GRANT_EXPIRING_SOON, soon.at(), fields(
          "grant_id", soon.grantId(),
          "remaining", soon.remaining(),
          "expires_at", text(soon.expiresAt())));
    }
    if (event instanceof PeriodClosed closed) {
      Period period = closed.period();
      return one(orgId, seqNr, EventType.STATEMENT_READY, closed.at(), fields(
          "period_start", text(period.start()),
          "period_end", text(period.end()),
          "allocation", period.allocation(),
          "charged", period.charged(),
          "calls", period.calls()));
    }
    return List.of();
  }

  private static List<WebhookEvent> one(String orgId, long seqNr, EventType type, Instant at, Map<String, Object> data) {
    return List.of(new WebhookEvent(orgId, seqNr, 0, type, at, data));
  }

  /** Name, value, name, value...: in this order in the body. */
  private static Map<String, Object> fields(Object... namesAndValues) {
    Map<String, Object> data = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) data.put((String) namesAndValues[i], namesAndValues[i + 1]);
    return data;
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
