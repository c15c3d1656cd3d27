#!/usr/bin/env bash
# Tally vs PostgreSQL on the same workload, back to back, with the ratio at the end.
#
#   ops/bench.sh                       10,000 Zipf orgs, reserve+commit pairs, open loop at 5,000 pairs/s, 60 s each
#   ops/bench.sh --hot                 the same with one hot org taking all traffic
#   ops/bench.sh --quick               a few seconds each (smoke)
#   ops/bench.sh --concurrency 256     closed loop instead: the most each system does
#   ops/bench.sh --tally 127.0.0.1:50051 --node-metrics 9464   use a running node instead of starting one
#   ops/bench.sh --target tally --node-settings TALLY_GROUP_COMMIT_MAX_BATCH=1 --node-jvm "-Xmx2g"   node settings
#
# Any other tally-bench option passes through (see `--help`). It builds tally-bench, starts PostgreSQL through
# ops/postgres.sh (installed from Debian packages when missing; fsync and synchronous_commit on), starts its own
# Cassandra and node on free ports of 127.0.0.1 unless --tally is given, and writes report folders and a
# comparison page under ops/bench/report/. Every load goes to 127.0.0.1; every run is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
own_node=true
rate_or_concurrency=false
for arg in "$@"; do
  case "$arg" in
    --hot) args+=(--hot-share 1) ;;
    --tally) own_node=false; args+=("$arg") ;;
    --rate|--concurrency) rate_or_concurrency=true; args+=("$arg") ;;
    *) args+=("$arg") ;;
  esac
done
$own_node && args+=(--local)
quick=false
for arg in "$@"; do [[ "$arg" == --quick ]] && quick=true; done
# The quick smoke run stays below what either system sustains here; the real one asks for the target rate.
if ! $rate_or_concurrency; then
  if $quick; then args+=(--rate 500); else args+=(--rate 5000); fi
fi

source ops/build.sh
build_module ops/bench
postgres_url="$(ops/postgres.sh start)"
exec java -cp "$(cat ops/bench/target/runtime.classpath):ops/bench/target/classes" dev.tally.ops.bench.TallyBench \
  run --target both --postgres "$postgres_url" --report ops/bench/report "${args[@]}"
