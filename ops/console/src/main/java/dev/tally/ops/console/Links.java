package dev.tally.ops.console;

/** The console's addresses, built in one place from encoded parts. */
final class Links {

  static final String SIGN_IN = "/signin";
  static final String SIGN_OUT = "/signout";
  static final String OPERATOR = "/operator";
  static final String STYLE = "/static/console.css";
  static final String CHARTS_SCRIPT = "/static/charts.js";
  static final String ECHARTS_SCRIPT = "/static/echarts.min.js";
  /** The operator's org directory and top orgs. */
  static final String DIRECTORY = "/operator/orgs";
  /** The cluster's members and their readiness. */
  static final String CLUSTER = "/operator/cluster";

  private Links() {}

  /** An org's view. */
  static String org(String orgId) {
    return "/orgs/" + Html.urlPart(orgId);
  }

  /** An org's usage page for the days {@code range} covers. */
  static String usage(String orgId, UsageRange range) {
    return org(orgId) + "/usage?from=" + range.from() + "&to=" + range.to();
  }

  /** An org's usage page for its default range (this billing period). */
  static String usage(String orgId) {
    return org(orgId) + "/usage";
  }

  /** The usage by project and model of {@code range} as CSV. */
  static String usageCsv(String orgId, UsageRange range) {
    return org(orgId) + "/usage/csv?from=" + range.from() + "&to=" + range.to();
  }

  /** An org's statements (billing history), from the newest; {@code pageToken} "" for the first page. */
  static String statements(String orgId, String pageToken) {
    return org(orgId) + "/statements" + (pageToken.isEmpty() ? "" : "?page=" + Html.urlPart(pageToken));
  }

  /** One statement, by its period's start. */
  static String statement(String orgId, java.time.Instant periodStart) {
    return org(orgId) + "/statements/" + Html.urlPart(periodStart.toString());
  }

  /** An org's view from a ledger page on. */
  static String orgLedgerPage(String orgId, String pageToken) {
    return org(orgId) + "?ledger=" + Html.urlPart(pageToken) + "#ledger";
  }

  /** An action on an org ({@code redeem}, {@code transfer}...), posted by a form. */
  static String orgAction(String orgId, String action) {
    return org(orgId) + "/" + action;
  }

  /** The operator's action {@code action} ({@code requests/decide}, {@code codes}...). */
  static String operator(String action) {
    return OPERATOR + "/" + action;
  }

  /** Where a webhook endpoint's pages are: under its org, or for an operator's ("*") endpoint under the operator's. */
  private static String webhook(String orgId, String endpointId) {
    return (orgId.equals("*") ? OPERATOR : org(orgId)) + "/webhooks/" + Html.urlPart(endpointId);
  }

  /** A webhook endpoint's delivery log from {@code pageToken} on ("" for the newest attempts). */
  static String deliveries(String orgId, String endpointId, String pageToken) {
    return webhook(orgId, endpointId) + "/deliveries" + (pageToken.isEmpty() ? "" : "?page=" + Html.urlPart(pageToken));
  }

  /** The replay of an event to an endpoint: with {@code eventId} the confirmation page, with "" where it is posted. */
  static String replay(String orgId, String endpointId, String eventId) {
    return webhook(orgId, endpointId) + "/replay" + (eventId.isEmpty() ? "" : "?event=" + Html.urlPart(eventId));
  }
}
