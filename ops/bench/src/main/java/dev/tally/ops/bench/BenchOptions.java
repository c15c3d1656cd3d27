package dev.tally.ops.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The command line of tally-bench: {@code --name value} pairs and a few flags, with the defaults both commands share. */
final class BenchOptions {

  static final String USAGE = """
      tally-bench [run|suite] [options]

      run (default): one workload against Tally, PostgreSQL, or both back to back (then prints the ratio)
        --target tally|postgres|both   what to drive (default tally)
        --tally HOST:PORT              a running node (default 127.0.0.1:50051) ...
        --api-key KEY                  ... and an admin API key for it (default: env TALLY_API_KEY)
        --local                        ... or start a Cassandra and a node of our own in --work-dir
        --node-settings K=V,K=V        TALLY_* settings for the --local node, e.g. TALLY_GROUP_COMMIT_MAX_BATCH=1
        --node-jvm "OPTS"              extra JVM options for the --local node, e.g. "-XX:StartFlightRecording=filename=node.jfr"
        --node-metrics PORT            a running node's metrics port, to report its group-commit batch sizes
        --webhooks                     also a webhook receiver on 127.0.0.1 (an operator endpoint, "*"), a grant to
                                       a random org every 100 ms of the window, and the latency from each event's
                                       time to its first receipt (p50/p99/max) and deliveries missing; --local lets
                                       its node deliver to 127.0.0.1, a running node needs TALLY_WEBHOOKS_ALLOW_PRIVATE=on
        --postgres JDBC_URL            default jdbc:postgresql://127.0.0.1:55432/tally_bench?user=postgres
        --pool N                       PostgreSQL connections (default 2 x cores)
        --orgs K                       orgs besides the hot one (default 10000)
        --zipf S                       Zipf exponent of org popularity (default 1.0; 0 = uniform)
        --hot-share F                  share of operations for one hot org (default 0; 1 = all traffic)
        --charges F                    share of one-step charges; the rest are reserve+commit pairs (default 0)
        --hold MICROCREDITS            held per reserve (default 1000); commits bill 50-100 % of it
        --rate R                       open loop at R units/s (a unit is a pair or a charge) ...
        --concurrency C                ... or closed loop with C callers (default: open loop at 1000/s)
        --duration 60s --warmup 90s    measured window and unmeasured warm-up before it (JIT)
        --report DIR                   report folders go to DIR/<run>/ (default report)
        --name NAME                    run name (default: made from the options)
        --quick                        5 s runs after a 2 s warm-up, 1,000 orgs: a smoke run
      suite: every measurement behind BENCHMARKS.md (starts its own Cassandra and nodes)
        --postgres JDBC_URL | --no-postgres, --quick, --report DIR, --work-dir DIR, --markdown FILE,
        --only compare,abuse,auth,tuning,readside,groupcommit,memory,recovery (a subset),
        --node-settings K=V (for the recovery node, e.g. TALLY_SNAPSHOT_EVERY_EVENTS=10000)
        --moderate-rate R (the moderate open loop's rate, default 1000/s: less on a day the machine is slower)
      """;

  static final String DEFAULT_POSTGRES = "jdbc:postgresql://127.0.0.1:55432/tally_bench?user=postgres";
  /**
   * Unmeasured load before the window. A fresh node (and a fresh Cassandra) keeps compiling for over a minute under
   * load; the window measures the running system, not its first minute.
   */
  static final Duration WARMUP = Duration.ofSeconds(90);
  /** The measured window: the "sustained for 60 s". */
  static final Duration WINDOW = Duration.ofSeconds(60);
  /** The warm-up of a --quick smoke run: enough to open the connections. */
  static final Duration QUICK_WARMUP = Duration.ofSeconds(2);
  static final Duration QUICK_WINDOW = Duration.ofSeconds(5);

  private static final Set<String> FLAGS = Set.of("--local", "--quick", "--no-postgres", "--help", "--webhooks");

  final String command;
  private final Map<String, String> values = new HashMap<>();

  BenchOptions(String[] args) {
    List<String> rest = new ArrayList<>(List.of(args));
    command = !rest.isEmpty() && !rest.get(0).startsWith("--") ? rest.remove(0) : "run";
    if (!command.equals("run") && !command.equals("suite")) throw new IllegalArgumentException("unknown command " + command + "\n" + USAGE);
    for (int i = 0; i < rest.size(); i++) {
      String key = rest.get(i);
      if (!key.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + key + "\n" + USAGE);
      if (FLAGS.contains(key)) {
        values.put(key, "true");
      } else {
        if (i + 1 >= rest.size()) throw new IllegalArgumentException(key + " needs a value\n" + USAGE);
        values.put(key, rest.get(++i));
      }
    }
  }

  /** A flag, or an option that was given. */
  boolean flag(String name) {
    return values.containsKey(name);
  }

  String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  int integer(String name, int fallback) {
    return flag(name) ? Integer.parseInt(values.get(name).replace("_", "").replace(",", "")) : fallback;
  }

  double decimal(String name, double fallback) {
    return flag(name) ? Double.parseDouble(values.get(name)) : fallback;
  }

  Path path(String name, String fallback) {
    return Path.of(string(name, fallback));
  }

  Duration warmup() {
    return flag("--warmup") ? parseDuration(values.get("--warmup")) : flag("--quick") ? QUICK_WARMUP : WARMUP;
  }

  Duration window() {
    return flag("--duration") ? parseDuration(values.get("--duration")) : flag("--quick") ? QUICK_WINDOW : WINDOW;
  }

  /** Orgs of a many-org workload: 1,000 in a --quick smoke run. */
  int orgs() {
    return integer("--orgs", flag("--quick") ? 1_000 : 10_000);
  }

  String postgres() {
    return string("--postgres", DEFAULT_POSTGRES);
  }

  int pool() {
    return integer("--pool", 2 * Runtime.getRuntime().availableProcessors());
  }

  /** {@code --node-settings K=V,K=V}: {@code TALLY_*} settings for the node the bench starts. */
  Map<String, String> nodeSettings() {
    Map<String, String> settings = new HashMap<>();
    for (String pair : string("--node-settings", "").split(",")) {
      String[] kv = pair.split("=", 2);
      if (kv.length == 2) settings.put(kv[0].trim(), kv[1].trim());
    }
    return settings;
  }

  /** {@code --node-jvm "-Da=b -Dc=d"}: extra JVM options for the node the bench starts. */
  List<String> nodeJvm() {
    String options = string("--node-jvm", "").trim();
    return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
  }

  /** "60s", "500ms", "2m" or plain seconds. */
  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    if (t.endsWith("m")) return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
    return Duration.ofMillis((long) (Double.parseDouble(t.endsWith("s") ? t.substring(0, t.length() - 1) : t) * 1000));
  }
}
