package dev.tally.node.notify;

/**
 * The kinds of event a webhook endpoint subscribes to (issue 19 item 2), by the names of
 * {@code tally.v1.WebhookEventType} without its prefix: the API maps one to the other by name.
 */
public enum EventType {
  USAGE_THRESHOLD_REACHED,
  BALANCE_LOW,
  ACCOUNT_DEPLETED,
  ACCOUNT_RESUMED,
  CREDITS_GRANTED,
  GRANT_EXPIRING_SOON,
  GRANT_EXPIRED,
  STATEMENT_READY,
  CREDIT_REQUEST_DECIDED,
  API_KEY_CREATED,
  API_KEY_REVOKED,
  WEBHOOK_ENDPOINT_DISABLED
}
