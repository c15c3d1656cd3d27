#!/usr/bin/env bash
# Regenerates BENCHMARKS.md at the repository root: builds tally-bench, starts PostgreSQL (ops/postgres.sh),
# runs every measurement (`tally-bench suite`: Tally vs PostgreSQL, group commit, memory, recovery; about two
# hours — the 2026-12-06 afternoon run took 2 h 1 min — or about 17 minutes with --quick) on Cassandras (one
# per section) and nodes of its own, and writes the page from the results: the machine, the commands, the tables, and
# ops/bench/findings.md (the hand-written reading of the numbers).
#
#   ops/bench/benchmarks.sh [--quick] [--no-postgres]
#   ops/bench/benchmarks.sh --page-only     rewrite BENCHMARKS.md from the last run's results (e.g. after editing findings.md)
#
# What the page is written from stays in git, in ops/bench/last-run/: the tables (results.md) and the run's facts
# (run.env); --page-only reads only those. Raw numbers and charts of every run (suite.json, and per run results.json,
# latency.hlog, report.html) land in ops/bench/results/, which each run replaces and git ignores.
# Run it on an otherwise idle machine: the tables show each run's load average and the CPU others used.
# TALLY_BENCH_CLASSPATH=<classpath> skips the build and runs that frozen build instead (a copy of the jars
# that concurrent builds in the same work tree cannot overwrite mid-run).
set -euo pipefail
cd "$(dirname "$0")/../.."

suite_args=()
page_only=false
for arg in "$@"; do
  case "$arg" in
    --quick|--no-postgres) suite_args+=("$arg") ;;
    --page-only) page_only=true ;;
    *) echo "usage: $0 [--quick] [--no-postgres] | --page-only" >&2; exit 2 ;;
  esac
done
results=ops/bench/results
page=ops/bench/last-run

if ! $page_only; then

if [[ -n "${TALLY_BENCH_CLASSPATH:-}" ]]; then
  classpath="$TALLY_BENCH_CLASSPATH"
else
  source ops/build.sh
  build_module ops/bench
  classpath="$(cat ops/bench/target/runtime.classpath):ops/bench/target/classes"
fi
if [[ " ${suite_args[*]-} " != *" --no-postgres "* ]]; then
  suite_args+=(--postgres "$(ops/postgres.sh start)")
fi

rm -rf "$results"
mkdir -p "$results"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
java -cp "$classpath" dev.tally.ops.bench.TallyBench \
  suite "${suite_args[@]}" --report "$results" --markdown "$page/results.md" > "$results/suite.log" 2>&1 \
  || { tail -50 "$results/suite.log"; exit 1; }
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
# The disk as the run found it, kept with the run so that --page-only does not measure it again.
fsync_line="$(
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [[ -n "$pg_bin" ]]; then
    probe="$(mktemp -d)"
    "$pg_bin/pg_test_fsync" -s 1 -f "$probe/probe" 2>/dev/null | grep -m1 -E '^\s+fdatasync' | sed -E 's/ +/ /g; s/^ //'
    rm -rf "$probe"
  fi
)"
# The machine as the run found it, likewise.
cpus="$(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
memory="$(free -g | awk '/^Mem:/ {print $2 " GiB total, " $7 " GiB available"}')"
java_version="$(java -version 2>&1 | head -1)"
os="$(uname -sr), $(. /etc/os-release && echo "$PRETTY_NAME")"
# Cassandra's commit log as ops/cassandra-launcher configured it for this run (SingleNodeConfig).
commitlog='`commitlog_sync: group` with a 1 ms window and `commitlog_disk_access_mode: direct`: a write is acknowledged once it is flushed'
printf 'started=%q\nload_before=%q\nload_after=%q\nfsync_line=%q\ncpus=%q\nmemory=%q\njava_version=%q\nos=%q\ncommitlog=%q\n' \
  "$started" "$load_before" "$load_after" "$fsync_line" "$cpus" "$memory" "$java_version" "$os" "$commitlog" > "$page/run.env"
fi
# shellcheck disable=SC1091
. "$page/run.env"

{
  cat <<HEADER
# Benchmarks

Written by \`ops/bench/benchmarks.sh\` on ${started}; every number below comes from that run. Rerun it to regenerate this
page; a run also writes its raw data, HdrHistogram logs and charts per run to \`ops/bench/results/\` (not kept in git).

## The machine

Everything — the load generator, the Tally node, Cassandra and PostgreSQL — ran on this one machine, all traffic on 127.0.0.1.

| fact | value |
|---|---|
| CPU cores (\`nproc\`) | ${cpus} |
| memory (\`free -g\`) | ${memory} |
| Java (\`java -version\`) | ${java_version} |
| OS | ${os} |
| disk fsync (PostgreSQL's \`pg_test_fsync\`, 8 kB) | ${fsync_line:-not measured} |
| load average before → after the suite | ${load_before} → ${load_after} |

Tally: one node (\`-Xmx4g\`, 1 GiB in the memory table; default settings unless a table says otherwise) on a single-node Cassandra 5.0 (\`-Xmx1G\`,
${commitlog}, trie memtables, as \`ops/cassandra-launcher\` configures it). PostgreSQL: the Debian package, started by
\`ops/postgres.sh\` with \`fsync = on\`, \`synchronous_commit = on\`; the baseline uses a pool of 2 × cores connections.
The node is stopped while PostgreSQL runs, and PostgreSQL is idle while Tally runs. Since \`6846af1\` each row of the comparison
starts both systems on a disk at rest: each Tally row on a Cassandra of its own, stopped with its node before PostgreSQL runs, and
each PostgreSQL row on tables of its own after a \`CHECKPOINT\`. Before, the comparison's Cassandra held every earlier row's data and
ran through the PostgreSQL rows (idle, or flushing what the Tally row before wrote; its CPU in the cassandra column since \`9a6e3a8\`).
The load generator drives Tally through the SDK with \`callbacksOnTransportThreads()\` (none of its callbacks blocks) and
PostgreSQL through JDBC.

## Commands

\`\`\`sh
ops/bench/benchmarks.sh                       # this page: every measurement below (about 2 h; --quick for a smoke run)
ops/bench.sh                                  # Tally vs PostgreSQL: 10,000 Zipf orgs, open loop at 5,000 pairs/s, 60 s each
ops/bench.sh --hot                            # the same for one hot org taking all traffic
ops/bench.sh --hot --concurrency 256          # closed loop: the most each system does
ops/bench.sh --target tally --hot --concurrency 256 --node-settings TALLY_GROUP_COMMIT_MAX_BATCH=1   # coalescing off
ops/bench.sh --target tally --node-jvm "-XX:StartFlightRecording=filename=node.jfr,settings=profile"  # profile the node
ops/bench.sh --target tally --webhooks                 # also webhook delivery latency under the load (event -> first receipt)
ops/postgres.sh start|stop|status             # the baseline's PostgreSQL (installs the Debian package when missing)
\`\`\`

Every load run (the first three tables) sends its load for 90 s unmeasured first (a fresh node's JIT keeps compiling
for over a minute), then measures 60 s (30 s in the tuning and group-commit tables); each Tally run has a fresh node
(its heap as above; why 4 GiB: see the findings) on its section's Cassandra (the comparison: see above). An open-loop warm-up
keeps its rate but skips what falls due while 256 operations are in flight, so the window starts without a queue left
over from the cold start (before 2026-11-21 it did not, and a warm-up at 5,000/s handed the window ~50,000 queued pairs). A *unit* is one reserve+commit pair (or one one-step charge). *op*
latencies are per single call (a reserve or a commit), *pair* latency is reserve-then-commit end to end. In open loop each operation is timed from its intended
start (no coordinated omission); in closed loop from its actual start. An overloaded open-loop run lasts longer than
its 60 s: every scheduled operation is still sent and charged its full wait, and histograms stop at 120 s (a value of
120,062 ms reads "≥ 2 minutes"); errors are what failed after the SDK's own retries. CPU columns are cores used
during the measured window by each process group, *others* being everything else on the machine (other people's
builds and tests): that column, not the load average (which counts the services' own runnable threads), tells
whether the machine was otherwise idle.

## Results

HEADER
  cat "$page/results.md"
  echo
  if [[ -f ops/bench/findings.md ]]; then cat ops/bench/findings.md; fi
} > BENCHMARKS.md
echo "wrote BENCHMARKS.md (load average before ${load_before}, after ${load_after})"
