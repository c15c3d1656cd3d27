package dev.tally.ops.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The command line of tally-bench: {@code --name value} pairs and a few flags. */
final class BenchOptions {

  static final String USAGE = """
      tally-bench [run|suite] [options]

      run (default): one workload against Tally, PostgreSQL, or both back to back (then prints the ratio)
        --target tally|postgres|both   what to drive (default tally)
        --tally HOST:PORT              a running node (default 127.0.0.1:50051) ...
        --local                        ... or start a Cassandra and a node of our own in --work-dir
        --node-settings K=V,K=V        TALLY_* settings for the --local node, e.g. TALLY_GROUP_COMMIT_MAX_BATCH=1
        --node-jvm "OPTS"              extra JVM options for the --local node, e.g. "-XX:StartFlightRecording=filename=node.jfr"
        --node-metrics PORT            a running node's metrics port, to report its group-commit batch sizes
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
      recover --work-dir DIR --orgs A,B [--node-jvm OPTS]: restart Cassandra and a node on DIR's data, time each org's first GetBalance
      suite: every measurement behind BENCHMARKS.md (starts its own Cassandra and nodes)
        --postgres JDBC_URL | --no-postgres, --quick, --report DIR, --work-dir DIR, --markdown FILE,
        --only compare,tuning,groupcommit,memory,recovery (a subset), --memory-orgs N, --recovery-events N,
        --node-settings K=V (for the recovery node, e.g. TALLY_SNAPSHOT_EVERY_EVENTS=10000)
      """;

  private static final Set<String> FLAGS = Set.of("--local", "--quick", "--no-postgres", "--help");

  final String command;
  private final Map<String, String> values = new HashMap<>();

  BenchOptions(String[] args) {
    List<String> rest = new ArrayList<>(List.of(args));
    command = !rest.isEmpty() && !rest.get(0).startsWith("--") ? rest.remove(0) : "run";
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

  boolean flag(String name) {
    return values.containsKey(name);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  int integer(String name, int fallback) {
    return values.containsKey(name) ? Integer.parseInt(values.get(name).replace("_", "").replace(",", "")) : fallback;
  }

  double decimal(String name, double fallback) {
    return values.containsKey(name) ? Double.parseDouble(values.get(name)) : fallback;
  }

  Duration duration(String name, Duration fallback) {
    return values.containsKey(name) ? parseDuration(values.get(name)) : fallback;
  }

  Path path(String name, String fallback) {
    return Path.of(string(name, fallback));
  }

  /** "60s", "500ms", "2m" or plain seconds. */
  static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.endsWith("ms")) return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    if (t.endsWith("s")) return Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
    if (t.endsWith("m")) return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
    return Duration.ofMillis((long) (Double.parseDouble(t) * 1000));
  }

  /** {@code K=V,K=V} */
  Map<String, String> settings(String name) {
    Map<String, String> settings = new HashMap<>();
    if (!values.containsKey(name)) return settings;
    for (String pair : values.get(name).split(",")) {
      String[] kv = pair.split("=", 2);
      if (kv.length == 2) settings.put(kv[0].trim(), kv[1].trim());
    }
    return settings;
  }
}
