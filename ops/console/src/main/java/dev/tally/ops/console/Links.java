package dev.tally.ops.console;

/** The console's addresses, built in one place from encoded parts. */
final class Links {

  static final String SIGN_IN = "/signin";
  static final String SIGN_OUT = "/signout";
  static final String OPERATOR = "/operator";
  static final String STYLE = "/static/console.css";

  private Links() {}

  /** An org's view. */
  static String org(String orgId) {
    return "/orgs/" + Html.urlPart(orgId);
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
}
