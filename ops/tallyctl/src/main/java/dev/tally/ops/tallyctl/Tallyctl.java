package dev.tally.ops.tallyctl;

import static dev.tally.ops.tallyctl.Command.Option.optional;
import static dev.tally.ops.tallyctl.Command.Option.required;

import dev.tally.ops.tallyctl.Command.Option;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code tallyctl}, the operator's command line: orgs, credits and ledgers over the SDK (gRPC), the
 * cluster's members and shards over a node's management HTTP API. {@code tallyctl --help} lists it all.
 */
public final class Tallyctl {

  static final String DEFAULT_NODE = "127.0.0.1:50051";
  static final String DEFAULT_MANAGEMENT = "127.0.0.1:8558";
  static final int DEFAULT_TIMEOUT_SECONDS = 10;

  /** What a call is about, for usage reports: reserve and charge take them. */
  private static final List<Option> LABELS = List.of(
      optional("model", "MODEL", "the model the call used, for usage reports"),
      optional("project", "PROJECT", "the caller's project, for usage reports"),
      optional("user", "USER", "the caller's end user, for usage reports"),
      optional("call-type", "TYPE", "the kind of call, for usage reports"));
  private static final Option REQUEST_ID =
      optional("request-id", "ID", "the id that makes a rerun safe (default: a new one, printed)");

  static final List<Option> GLOBAL_OPTIONS = List.of(
      optional("node", "HOST:PORT", "a node's gRPC address (env TALLY_NODE, default " + DEFAULT_NODE + ")"),
      optional("management", "HOST:PORT",
          "a node's management HTTP address (env TALLY_MANAGEMENT, default " + DEFAULT_MANAGEMENT + ")"),
      optional("api-key", "KEY", "the API key sent with every gRPC call (env TALLY_API_KEY)"),
      new Option("tls", null, false, "connect to the gRPC port with TLS, trusting the JVM's CAs (env TALLY_TLS=true)"),
      optional("tls-ca", "FILE", "TLS, trusting the CA certificates in this PEM file instead (env TALLY_TLS_CA)"),
      optional("tls-cert", "FILE", "the client certificate chain (PEM) for nodes that require one (env TALLY_TLS_CERT)"),
      optional("tls-key", "FILE", "the client certificate's private key, PKCS#8 PEM (env TALLY_TLS_KEY)"),
      optional("timeout", "SECONDS", "longest wait for one call, retries included (default " + DEFAULT_TIMEOUT_SECONDS + ")"),
      new Option("json", null, false, "print one JSON document; amounts as integer micro-credits (*_micro_credits)"),
      new Option("help", null, false, "this help; tallyctl COMMAND --help for one command"));

  /** The org directory; also {@code tallyctl orgs}, its name before the org group had it. */
  private static final Command ORG_LIST = new Command("org list", List.of(), List.of(
      optional("plan", "PLAN", "only orgs on this plan"),
      optional("status", "STATUS", "only orgs that are depleted (balance 0 or less) or in-debt"),
      optional("sort", "ORDER", "usage: most credits used in --month first (default: the directory's order)"),
      optional("month", "MONTH", "with --sort usage: this month or the last, e.g. 2026-11 (default: this month, UTC)"),
      optional("limit", "N", "the first N orgs only (default: all)")),
      "every org with its plan and credits, from the read side: a few seconds behind (admin key)",
      DirectoryCommands::orgs);

  static final List<Command> COMMANDS = List.of(
      new Command("org create", List.of("ORG"), List.of(
          optional("name", "NAME", "display name"),
          optional("plan", "PLAN", "the plan to start on (default: the catalog's default; see tallyctl plans)"),
          optional("referral-code", "CODE", "the referral code of the org that referred this one (see referral show); never changed"),
          REQUEST_ID),
          "open an org's account", AccountCommands::createOrg),
      new Command("org show", List.of("ORG"), List.of(),
          "an org: plan, limits, balance, grants and this period's usage", AccountCommands::showOrg),
      ORG_LIST,
      new Command("org set-plan", List.of("ORG", "PLAN"), List.of(REQUEST_ID),
          "move an org to another plan of the catalog (see tallyctl plans): an upgrade applies at once with its"
              + " allocation prorated for the rest of the period, a downgrade at the period's end",
          TermsCommands::setPlan),
      new Command("org set-overrides", List.of("ORG"), Stream.concat(TermsCommands.OVERRIDES.stream(), Stream.of(
          new Option("clear", null, false, "clear every override: the org follows its plan"),
          REQUEST_ID)).toList(),
          "replace an org's own terms (custom enterprise terms); each override not given follows the plan",
          TermsCommands::setOverrides),
      new Command("grant", List.of("ORG", "AMOUNT"), List.of(
          required("kind", "KIND", "TRIAL, SUBSCRIPTION, PURCHASE, PROMOTION, REDEMPTION, REFERRAL or ADJUSTMENT"),
          optional("expires", "TIME", "when the remaining credits expire, e.g. 2027-01-01T00:00:00Z (default: never)"),
          optional("effective", "TIME", "from when they may be drawn (default: now)"),
          optional("priority", "N", "draw order override 0-1000, lowest first (default 500: trial, soonest expiry, oldest)"),
          optional("id", "GRANT_ID", "the grant's id (default: grant-REQUEST_ID)"),
          REQUEST_ID),
          "give AMOUNT credits (up to 6 decimals, e.g. 12.5) to an org", AccountCommands::grant),
      new Command("void", List.of("ORG", "GRANT_ID"), List.of(
          optional("reason", "TEXT", "why, for the ledger"),
          REQUEST_ID),
          "take back what remains of a grant", AccountCommands::voidGrant),
      new Command("balance", List.of("ORG"), List.of(),
          "an org's balance and grants", AccountCommands::balance),
      new Command("grants", List.of("ORG"), List.of(),
          "every grant of an org, active and finished (used up, expired, voided), with what became of its credits",
          AccountCommands::grants),
      new Command("ledger", List.of("ORG"), List.of(
          optional("limit", "N", "the first N entries only (default: all)")),
          "an org's ledger, oldest first", AccountCommands::ledger),
      new Command("plans", List.of(), List.of(),
          "the plan catalog", AccountCommands::plans),
      new Command("prices", List.of(), List.of(),
          "the price books: credits per 1M tokens of each model, and per call of each call type", TermsCommands::prices),
      new Command("alerts watch", List.of(), List.of(
          optional("org", "ORG", "only this org's alerts (default: every org's)"),
          optional("after", "EVENT_ID", "resume: first the org's alerts raised after this one (an alert's event id; needs --org)"),
          optional("for", "DURATION", "stop after this long, e.g. 30s, 15m, 2h (default: until Ctrl-C)"),
          optional("limit", "N", "stop after N alerts (default: no limit)")),
          "print usage alerts as the cluster raises them, one line each (with --json one JSON document a line)",
          AlertCommands::watch),
      new Command("alerts list", List.of("ORG"), List.of(
          optional("kinds", "LIST", "only these kinds, comma-separated: usage_threshold, low_balance, depleted, resumed,"
              + " webhook_endpoint_disabled (default: every kind)"),
          optional("page-size", "N", "alerts per page, 1 to 1000 (default: 100)"),
          optional("page-token", "TOKEN", "the next page token a previous page printed: older alerts")),
          "an org's past alerts, newest first, one line each (a page may be short: one call reads at most 10,000"
              + " of the org's events; the next page token follows)",
          AlertCommands::list),
      new Command("package list", List.of(), List.of(),
          "the credit packages orgs can buy", PackageCommands::list),
      new Command("package buy", List.of("ORG", "PACKAGE"), List.of(
          required("payment-reference", "REF", "the payment system's id of the settled payment; granted once, however often sent"),
          optional("credits", "N", "the credits to grant, for a custom (enterprise) package only")),
          "grant a paid package to an org, once per payment reference (admin key)", PackageCommands::buy),
      new Command("code generate", List.of("COUNT"), List.of(
          required("credits", "N", "the credits each redemption grants (up to 6 decimals)"),
          optional("expires", "TIME", "when the codes stop being redeemable, e.g. 2027-01-01T00:00:00Z (default: never)"),
          optional("max-redemptions", "N", "how many orgs may redeem each code, 1-1000 (default: 1)"),
          optional("label", "TEXT", "what the batch is for"),
          REQUEST_ID),
          "make COUNT (1-1000) redemption codes (admin key); the codes are printed once", CodeCommands::generate),
      new Command("code list", List.of(), List.of(
          optional("batch", "BATCH_ID", "the codes of this batch"),
          optional("label", "TEXT", "the codes of every batch made with this label"),
          optional("max", "N", "list at most N codes (default " + CodeCommands.DEFAULT_MAX_LISTED + ")")),
          "redemption codes of a batch or label (admin key): ids, hints, redemptions, never the codes",
          CodeCommands::list),
      new Command("code void", List.of(), List.of(
          optional("id", "CODE_ID", "the code's id, as code list shows it"),
          optional("code", "CODE", "the code itself"),
          optional("batch", "BATCH_ID", "every code of this batch, 100 a call until the last")),
          "void a redemption code or a whole batch (admin key): no redemption starts from then on",
          CodeCommands::voidCodes),
      new Command("redeem", List.of("ORG", "CODE"), List.of(REQUEST_ID),
          "redeem a code for an org: its credits are granted once, however often this runs", CodeCommands::redeem),
      new Command("request file", List.of("ORG", "AMOUNT"), List.of(
          required("reason", "TEXT", "why the org needs the credits, for the operator"),
          REQUEST_ID),
          "ask for AMOUNT more credits for an org, once it has used 80 % of this period's base", RequestCommands::file),
      alias("orgs", ORG_LIST),
      new Command("top", List.of(), List.of(
          optional("plan", "PLAN", "only orgs on this plan"),
          optional("limit", "N", "how many orgs, 1-100 (default: 10)"),
          optional("month", "MONTH", "this month or the last, e.g. 2026-11 (default: this month, UTC)")),
          "the orgs that used the most credits in a month, from the read side (admin key)",
          DirectoryCommands::top),
      new Command("usage", List.of("ORG"), List.of(
          optional("from", "TIME", "the first hour counted, e.g. 2026-12-01 or 2026-12-01T09:00:00Z (default: this month's start, UTC)"),
          optional("to", "TIME", "the end of the range, exclusive, a whole hour (default: the next whole hour)"),
          optional("by", "LIST", "rows by one of hour, day, month and any of model, call-type, project, user, key,"
              + " e.g. model,day (default: one row for the range)"),
          optional("zone", "ZONE", "an IANA time zone for days and months, e.g. Europe/Berlin (default: UTC)"),
          optional("csv", null, "CSV (RFC 4180) instead of a table, credits in micro-credits")),
          "an org's usage: credits, calls and tokens by time, model, project, user or key, from the read side:"
              + " a few seconds behind (a key of the org, or an admin key)",
          UsageCommands::usage),
      new Command("statements", List.of("ORG"), List.of(
          optional("limit", "N", "the newest N statements only (default: 12)")),
          "an org's statements, newest period first: opening, granted, used, expired, voided, closing and debt"
              + " (a key of the org, or an admin key)",
          StatementCommands::list),
      new Command("statement", List.of("ORG", "PERIOD_START"), List.of(),
          "one statement in full, by its period's start as statements shows it: its sums, grants by kind, usage by"
              + " model and by call type",
          StatementCommands::show),
      new Command("request list", List.of(), List.of(
          optional("org", "ORG", "only this org's requests, newest first (default: every org's, open first; admin key)"),
          optional("status", "STATUS", "only requests that are open, granting, approved or denied"),
          optional("limit", "N", "the first N requests only (default: all)")),
          "credit requests and their outcomes", RequestCommands::list),
      new Command("request approve", List.of("ORG", "NUMBER"), List.of(
          optional("note", "TEXT", "a word to the org with the decision")),
          "approve an org's credit request: its credits are granted (PROMOTION) once, however often this runs (admin key)",
          RequestCommands::approve),
      new Command("request deny", List.of("ORG", "NUMBER"), List.of(
          optional("note", "TEXT", "a word to the org with the decision")),
          "deny an org's credit request: nothing is granted (admin key)", RequestCommands::deny),
      new Command("referral show", List.of("ORG"), List.of(),
          "an org's referral code and rewards: what referred orgs' purchases earned it, and its reward balance",
          ReferralCommands::show),
      new Command("referral transfer", List.of("ORG"), List.of(REQUEST_ID),
          "move an org's whole reward balance into a REFERRAL grant it can spend, once per request id",
          ReferralCommands::transfer),
      new Command("webhook create", List.of("ORG", "URL"), List.of(
          optional("events", "LIST", "the event types to send, comma-separated, of " + WebhookCommands.EVENT_NAMES
              + " (default: all)"),
          optional("description", "TEXT", "what the endpoint is for"),
          new Option("disabled", null, false, "register it disabled: it is sent nothing until webhook update --enable"),
          REQUEST_ID),
          "register a webhook endpoint of an org (ORG '*': the operator's, for every org; admin key); its signing"
              + " secret is printed once. URL: http(s), no internal address unless the nodes allow it",
          WebhookCommands::create),
      new Command("webhook list", List.of("ORG"), List.of(),
          "an org's webhook endpoints (ORG '*': the operator's): URLs, event types, secret hints, never the secrets",
          WebhookCommands::list),
      new Command("webhook update", List.of("ORG", "ENDPOINT_ID"), List.of(
          optional("url", "URL", "the new URL"),
          optional("events", "LIST", "the new event types, comma-separated, or all"),
          optional("description", "TEXT", "the new description"),
          new Option("enable", null, false, "send it events again"),
          new Option("disable", null, false, "send it nothing until enabled")),
          "change a webhook endpoint: what the options give (admin key)", WebhookCommands::update),
      new Command("webhook delete", List.of("ORG", "ENDPOINT_ID"), List.of(),
          "remove a webhook endpoint: it is sent nothing more (admin key)", WebhookCommands::delete),
      new Command("webhook rotate-secret", List.of("ORG", "ENDPOINT_ID"), List.of(
          optional("overlap", "DURATION", "how long the old secret keeps signing beside the new one, 0s to 7d (default: 24h)"),
          REQUEST_ID),
          "make a new signing secret for a webhook endpoint (printed once); deliveries carry both signatures"
              + " during the overlap (admin key)",
          WebhookCommands::rotateSecret),
      new Command("webhook deliveries", List.of("ORG", "ENDPOINT_ID"), List.of(
          optional("page-size", "N", "attempts per page, 1 to 100 (default: 50)"),
          optional("page-token", "TOKEN", "the next page token a previous page printed")),
          "a webhook endpoint's delivery log, newest first: each attempt's time, HTTP status, latency and error"
              + " (kept 7 days; admin key)",
          WebhookCommands::deliveries),
      new Command("webhook replay", List.of("ORG", "ENDPOINT_ID"), List.of(
          optional("event", "EVENT_ID", "the one event to send again (an id the delivery log shows)"),
          optional("from", "TIME", "the start of a range of the org's events to send again (UTC time or date)"),
          optional("to", "TIME", "the end of the range, exclusive (at most 31 days after --from)"),
          optional("events-org", "ORG", "whose events a range sends, for an operator's endpoint (ORG '*')")),
          "send an endpoint one event, or an org's events of a time range, again with their ids (admin key)",
          WebhookCommands::replay),
      new Command("key create", List.of("ROLE"), List.of(
          optional("org", "ORG", "the org a metering, reader or owner key acts for (none for admin)"),
          optional("label", "TEXT", "what the key is for"),
          optional("expires", "TIME", "when the key stops working, e.g. 2027-01-01T00:00:00Z (default: never)"),
          REQUEST_ID),
          "make an API key: ROLE is metering, reader, owner (the org's keys too) or admin; the key is printed once",
          KeyCommands::create),
      new Command("key list", List.of(), List.of(
          optional("org", "ORG", "only this org's keys (default: every key; an owner key must name its org)")),
          "the API keys: ids, hints, roles, orgs, labels and times, never the keys", KeyCommands::list),
      new Command("key rotate", List.of("KEY_ID"), List.of(
          optional("grace", "DURATION", "how long the old key keeps working, 0s to 7d, e.g. 30m (default: 24h)"),
          REQUEST_ID),
          "replace an API key with a new one (printed once) like it; the old one stops after the grace",
          KeyCommands::rotate),
      new Command("key revoke", List.of("KEY_ID"), List.of(),
          "revoke an API key by the key id key create, key rotate or key list printed", KeyCommands::revoke),
      new Command("reserve", List.of("ORG", "AMOUNT"), withLabels(REQUEST_ID),
          "hold AMOUNT credits of an org, as an AI service does before a call; prints the reservation id",
          MeteringCommands::reserve),
      new Command("extend", List.of("ORG", "RESERVATION_ID"), List.of(
          optional("ttl", "DURATION",
              "the reservation's new lifetime from now, e.g. 10m, up to the node's maximum (default: the node's default)"),
          optional("add", "AMOUNT", "credits to add to the hold (default: none)"),
          REQUEST_ID),
          "push a reservation's automatic release further out, and hold more, as a long or streaming call does",
          MeteringCommands::extend),
      new Command("commit", List.of("ORG", "RESERVATION_ID", "AMOUNT"), List.of(REQUEST_ID),
          "charge AMOUNT credits for a reservation and release the rest of its hold", MeteringCommands::commit),
      new Command("release", List.of("ORG", "RESERVATION_ID"), List.of(REQUEST_ID),
          "give a reservation's whole hold back without charging", MeteringCommands::release),
      new Command("charge", List.of("ORG", "AMOUNT"), withLabels(REQUEST_ID),
          "charge AMOUNT credits at once, without a reservation", MeteringCommands::charge),
      new Command("members", List.of(), List.of(),
          "the cluster's members, as the --management node sees them", ClusterCommands::members),
      new Command("shards", List.of(), List.of(),
          "the org shards the --management node hosts", ClusterCommands::shards),
      new Command("nodes", List.of(), List.of(),
          "the cluster's members and their readiness, as the node called sees them (over gRPC); needs an admin key",
          ClusterCommands::nodes),
      new Command("leave", List.of("NODE_ADDRESS"), List.of(),
          "make a node leave the cluster (its address as members shows it, or its host:port); needs an admin key",
          ClusterCommands::leave));

  /**
   * The command that calls each RPC of the API, by its full gRPC name: every RPC has one
   * ({@code ApiCoverageTest} holds it to that).
   */
  static final Map<String, String> COMMAND_OF_RPC = Map.ofEntries(
      Map.entry("tally.v1.Accounts/CreateOrg", "org create"),
      Map.entry("tally.v1.Accounts/GetOrg", "org show"),
      Map.entry("tally.v1.Accounts/GrantCredits", "grant"),
      Map.entry("tally.v1.Accounts/VoidGrant", "void"),
      Map.entry("tally.v1.Accounts/ListLedger", "ledger"),
      Map.entry("tally.v1.Accounts/ListGrants", "grants"),
      Map.entry("tally.v1.Accounts/SetPlan", "org set-plan"),
      Map.entry("tally.v1.Accounts/SetOverrides", "org set-overrides"),
      Map.entry("tally.v1.Accounts/ListPlans", "plans"),
      Map.entry("tally.v1.Accounts/ListPriceBooks", "prices"),
      Map.entry("tally.v1.Accounts/WatchAlerts", "alerts watch"),
      Map.entry("tally.v1.Accounts/ListAlerts", "alerts list"),
      Map.entry("tally.v1.Accounts/CreateApiKey", "key create"),
      Map.entry("tally.v1.Accounts/RevokeApiKey", "key revoke"),
      Map.entry("tally.v1.Accounts/LeaveCluster", "leave"),
      Map.entry("tally.v1.Accounts/ListClusterMembers", "nodes"),
      Map.entry("tally.v1.Accounts/ListApiKeys", "key list"),
      Map.entry("tally.v1.Accounts/RotateApiKey", "key rotate"),
      Map.entry("tally.v1.Accounts/ListPackages", "package list"),
      Map.entry("tally.v1.Accounts/PurchasePackage", "package buy"),
      Map.entry("tally.v1.Accounts/CreateRedemptionCodes", "code generate"),
      Map.entry("tally.v1.Accounts/RedeemCode", "redeem"),
      Map.entry("tally.v1.Accounts/FileCreditRequest", "request file"),
      Map.entry("tally.v1.Accounts/ListCreditRequests", "request list"),
      Map.entry("tally.v1.Accounts/DecideCreditRequest", "request approve"),
      Map.entry("tally.v1.Accounts/GetReferral", "referral show"),
      Map.entry("tally.v1.Accounts/TransferRewards", "referral transfer"),
      Map.entry("tally.v1.Accounts/ListRedemptionCodes", "code list"),
      Map.entry("tally.v1.Accounts/VoidRedemptionCode", "code void"),
      Map.entry("tally.v1.Accounts/VoidRedemptionBatch", "code void"),
      Map.entry("tally.v1.Accounts/ListOrgs", "org list"),
      Map.entry("tally.v1.Accounts/TopOrgs", "top"),
      Map.entry("tally.v1.Accounts/GetUsage", "usage"),
      Map.entry("tally.v1.Accounts/ListStatements", "statements"),
      Map.entry("tally.v1.Accounts/GetStatement", "statement"),
      Map.entry("tally.v1.Accounts/CreateWebhookEndpoint", "webhook create"),
      Map.entry("tally.v1.Accounts/ListWebhookEndpoints", "webhook list"),
      Map.entry("tally.v1.Accounts/UpdateWebhookEndpoint", "webhook update"),
      Map.entry("tally.v1.Accounts/DeleteWebhookEndpoint", "webhook delete"),
      Map.entry("tally.v1.Accounts/RotateWebhookSecret", "webhook rotate-secret"),
      Map.entry("tally.v1.Accounts/ListWebhookDeliveries", "webhook deliveries"),
      Map.entry("tally.v1.Accounts/ReplayWebhookEvents", "webhook replay"),
      Map.entry("tally.v1.Metering/Reserve", "reserve"),
      Map.entry("tally.v1.Metering/Commit", "commit"),
      Map.entry("tally.v1.Metering/Release", "release"),
      Map.entry("tally.v1.Metering/Charge", "charge"),
      Map.entry("tally.v1.Metering/ExtendReservation", "extend"),
      Map.entry("tally.v1.Metering/GetBalance", "balance"));

  private Tallyctl() {}

  /** Another name for a command: the same operands, options and action. */
  private static Command alias(String name, Command command) {
    return new Command(name, command.operands(), command.options(), "the same as " + command.name(), command.action());
  }

  private static List<Option> withLabels(Option... others) {
    return Stream.concat(LABELS.stream(), Stream.of(others)).toList();
  }

  public static void main(String[] args) {
    // grpc-java logs connection trouble through java.util.logging; tallyctl says it once, on stderr.
    Logger.getLogger("io.grpc").setLevel(Level.OFF);
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command line; the exit status (see {@link ExitCode}). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, System.getenv(), out, err);
  }

  static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    try {
      Arguments arguments = Arguments.parse(args, flags());
      if (arguments.words.isEmpty()) {
        if (!arguments.flag("help")) throw Failure.usage("no command; tallyctl --help lists them");
        out.print(usage());
        return ExitCode.OK.status;
      }
      if (arguments.flag("help") && arguments.words.size() == 1 && !subcommands(arguments.words.get(0)).isEmpty()) {
        out.print(groupHelp(arguments.words.get(0)));
        return ExitCode.OK.status;
      }
      Command command = find(arguments.words);
      if (arguments.flag("help")) {
        out.print(help(command));
        return ExitCode.OK.status;
      }
      Set<String> globalOptions = GLOBAL_OPTIONS.stream().map(Option::name).collect(Collectors.toSet());
      List<String> operands = command.check(arguments, globalOptions);
      String node = arguments.option("node").orElse(environment.getOrDefault("TALLY_NODE", DEFAULT_NODE));
      String management = arguments.option("management")
          .orElse(environment.getOrDefault("TALLY_MANAGEMENT", DEFAULT_MANAGEMENT));
      String apiKey = arguments.option("api-key").orElse(environment.get("TALLY_API_KEY"));
      try (Connection tally = new Connection(node, management, timeout(arguments), apiKey, tls(arguments, environment))) {
        command.action().run(new Invocation(operands, arguments, tally, new Output(out, arguments.flag("json"))));
      }
      return ExitCode.OK.status;
    } catch (Failure failure) {
      err.println("tallyctl: " + Output.printable(failure.getMessage()));
      return failure.exitCode.status;
    }
  }

  /** The options, global or a command's, that take no value: {@code --json}, {@code --tls}, {@code --clear}... */
  private static Set<String> flags() {
    return Stream.concat(GLOBAL_OPTIONS.stream(), COMMANDS.stream().flatMap(command -> command.options().stream()))
        .filter(option -> option.value() == null)
        .map(Option::name)
        .collect(Collectors.toSet());
  }

  /** The command whose name the words start with ({@code org show acme} is {@code org show}). */
  private static Command find(List<String> words) {
    for (Command command : COMMANDS) {
      List<String> name = command.words();
      if (words.size() >= name.size() && words.subList(0, name.size()).equals(name)) return command;
    }
    List<String> subcommands = subcommands(words.get(0)).stream().map(command -> command.words().get(1)).toList();
    if (!subcommands.isEmpty()) {
      throw Failure.usage(words.get(0) + " needs one of: " + String.join(", ", subcommands)
          + "; tallyctl " + words.get(0) + " --help lists them");
    }
    throw Failure.usage("unknown command " + words.get(0) + "; tallyctl --help lists them");
  }

  /** The commands of a group such as {@code org} or {@code key}; none for a word that names no group. */
  private static List<Command> subcommands(String group) {
    return COMMANDS.stream()
        .filter(command -> command.words().size() > 1 && command.words().get(0).equals(group))
        .toList();
  }

  /** {@code tallyctl org --help}: the group's commands, each with its operands and summary. */
  private static String groupHelp(String group) {
    Table commands = new Table();
    for (Command command : subcommands(group)) {
      commands.row("  " + command.name() + (command.operands().isEmpty() ? "" : " " + String.join(" ", command.operands())),
          command.summary());
    }
    return "usage: tallyctl " + group + " COMMAND ...\n\ncommands:\n" + print(commands)
        + "\nEach command's options: tallyctl " + group + " COMMAND --help\n";
  }

  /** How the gRPC port is reached: options first, then the environment. */
  private static Connection.Tls tls(Arguments arguments, Map<String, String> environment) {
    String ca = arguments.option("tls-ca").orElse(environment.get("TALLY_TLS_CA"));
    String cert = arguments.option("tls-cert").orElse(environment.get("TALLY_TLS_CERT"));
    String key = arguments.option("tls-key").orElse(environment.get("TALLY_TLS_KEY"));
    boolean on = arguments.flag("tls") || "true".equalsIgnoreCase(environment.get("TALLY_TLS")) || ca != null || cert != null;
    if ((cert == null) != (key == null)) throw Failure.usage("--tls-cert and --tls-key go together");
    return new Connection.Tls(on, ca, cert, key);
  }

  private static Duration timeout(Arguments arguments) {
    String text = arguments.option("timeout").orElse(Integer.toString(DEFAULT_TIMEOUT_SECONDS));
    try {
      int seconds = Integer.parseInt(text);
      if (seconds > 0) return Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      // below
    }
    throw Failure.usage("--timeout " + text + " is not a positive number of seconds");
  }

  static String usage() {
    StringBuilder text = new StringBuilder();
    text.append("usage: tallyctl [--node HOST:PORT] [--management HOST:PORT] [--api-key KEY] [--tls] [--tls-ca FILE]\n"
        + "                [--tls-cert FILE --tls-key FILE] [--json] COMMAND ...\n\n");
    text.append("Operates a Tally cluster: orgs and credits through a node's gRPC API, members and shards through\n");
    text.append("its management HTTP API. Amounts are credits with up to 6 decimals (12.5 = 12,500,000 micro-credits).\n");
    text.append("\ncommands:\n");
    Table commands = new Table();
    for (Command command : COMMANDS) {
      commands.row("  " + command.name() + (command.operands().isEmpty() ? "" : " " + String.join(" ", command.operands())),
          command.summary());
    }
    text.append(print(commands));
    text.append("\noptions:\n").append(options(GLOBAL_OPTIONS));
    text.append("\nexit codes:\n");
    Table codes = new Table();
    for (ExitCode code : ExitCode.values()) codes.row("  " + code.status, code.meaning);
    text.append(print(codes));
    text.append("\nEach command's options: tallyctl COMMAND --help\n");
    return text.toString();
  }

  private static String help(Command command) {
    StringBuilder text = new StringBuilder("usage: " + command.synopsis() + "\n\n" + command.summary() + "\n");
    if (!command.options().isEmpty()) text.append("\noptions:\n").append(options(command.options()));
    text.append("\nglobal options:\n").append(options(GLOBAL_OPTIONS));
    return text.toString();
  }

  private static String options(List<Option> options) {
    Table table = new Table();
    for (Option option : options) {
      table.row("  --" + option.name() + (option.value() == null ? "" : " " + option.value()), option.description());
    }
    return print(table);
  }

  private static String print(Table table) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      table.print(stream);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
