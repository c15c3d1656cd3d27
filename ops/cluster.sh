#!/usr/bin/env bash
# A local Tally cluster on the loopback network: one Cassandra and N nodes that find each other
# through Cluster Bootstrap with config-based discovery. State, data and logs live in .tally-cluster/.
#
#   ops/cluster.sh start [N]   Cassandra and N nodes (default 3)
#   ops/cluster.sh add         one more node joins the running cluster
#   ops/cluster.sh remove K    node K leaves gracefully (SIGTERM: stops serving, drains, hands off, leaves)
#   ops/cluster.sh kill K      node K dies at once (SIGKILL), for failover drills
#   ops/cluster.sh status      each node's process, readiness and membership as the cluster sees it
#   ops/cluster.sh stop        every node, then Cassandra
#
# Exit codes: 0 done, 1 refused (e.g. no such node runs), 2 usage error.
#
# Node K has the address 127.0.0.K (Linux routes all of 127.0.0.0/8 to loopback) with the standard
# ports: gRPC 50051, management 8558 (/alive, /ready, /cluster/members), metrics 9464, remoting
# 25520. One address per node because Cluster Bootstrap tells contact points apart by host.
# Cassandra listens on 127.0.0.1:9142.
set -euo pipefail
cd "$(dirname "$0")/.."
STATE=${TALLY_CLUSTER_STATE:-.tally-cluster}
CQL_PORT=${TALLY_CLUSTER_CQL_PORT:-9142}
MAX_NODES=9

classpath() { echo "$(cat ops/local/target/runtime.classpath):ops/local/target/classes"; }

source ops/build.sh
build() { build_module ops/local; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_cassandra() {
  mkdir -p "$STATE"
  if alive "$STATE/cassandra.pid"; then return; fi
  java -cp "$(classpath)" dev.tally.ops.cassandra.CassandraServer --data "$STATE/cassandra" \
    --cql-port "$CQL_PORT" --storage-port 7100 > "$STATE/cassandra.out" 2>&1 &
  echo $! > "$STATE/cassandra.pid"
  local started=$SECONDS shown=0 progress
  echo "starting Cassandra (log: $STATE/cassandra/cassandra.log)"
  while (( SECONDS - started < 150 )); do
    # The launcher's progress lines (every 5 s: what Cassandra is busy with; then the schema), each once.
    progress=$(grep -E ' - (Cassandra starting, |Cassandra CQL-ready |Applying the CQL schema)' "$STATE/cassandra.out" 2>/dev/null \
      | tail -n +$((shown + 1)) | sed 's/^.* - /  /' || true)
    if [ -n "$progress" ]; then echo "$progress"; shown=$((shown + $(wc -l <<< "$progress"))); fi
    if grep -q "Cassandra is up" "$STATE/cassandra.out" 2>/dev/null; then
      echo "Cassandra up on 127.0.0.1:$CQL_PORT after $((SECONDS - started)) s"; return
    fi
    alive "$STATE/cassandra.pid" || break
    sleep 0.2
  done
  echo "Cassandra did not start; see $STATE/cassandra.out" >&2; exit 1
}

# The management endpoints of the nodes that run or are starting ($@): a new node finds the running
# ones among them. Only those, not every possible node: Cluster Bootstrap logs an ERROR for each
# contact point it cannot probe for probing-failure-timeout. That timeout covers a node JVM's start
# on a busy machine, so nodes starting together do not log it while they wait for each other (when it
# passes, bootstrap only discovers the same list again). Some of them may still be starting, so the
# join decision does not wait to hear from all of them.
discovery_endpoints() {
  local args=("-Dpekko.management.cluster.bootstrap.contact-point-discovery.contact-with-all-contact-points=false"
              "-Dpekko.management.cluster.bootstrap.contact-point.probing-failure-timeout=2m") i n=0
  for i in "$@"; do
    args+=("-Dpekko.discovery.config.services.tally.endpoints.$n.host=127.0.0.$i"
           "-Dpekko.discovery.config.services.tally.endpoints.$n.port=8558")
    n=$((n + 1))
  done
  echo "${args[@]}"
}

# The numbers of the nodes whose process lives, and the numbers given.
members_and() {
  local k
  for k in $(seq 1 "$MAX_NODES"); do
    if alive "$STATE/node-$k.pid" || [[ " $* " == *" $k "* ]]; then echo "$k"; fi
  done
}

start_node() {
  local k=$1; shift
  if alive "$STATE/node-$k.pid"; then echo "node $k already runs"; return; fi
  rm -f "$STATE/node-$k.killed"
  local host=127.0.0.$k
  # shellcheck disable=SC2046
  TALLY_GRPC_HOST=$host TALLY_MANAGEMENT_HOST=$host TALLY_METRICS_HOST=$host TALLY_CLUSTER_HOST=$host \
  TALLY_CASSANDRA_CONTACT_POINT=127.0.0.1:$CQL_PORT \
  TALLY_DISCOVERY_METHOD=config TALLY_BOOTSTRAP_REQUIRED_CONTACT_POINTS=1 \
    java -Xmx512m $(discovery_endpoints $(members_and "$k" "$@")) -cp "$(classpath)" dev.tally.node.Main > "$STATE/node-$k.log" 2>&1 &
  echo $! > "$STATE/node-$k.pid"
  echo "node $k starting: gRPC $host:50051, management http://$host:8558, log $STATE/node-$k.log"
}

wait_ready() {
  local k=$1
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.$k:8558/ready" > /dev/null 2>&1; then echo "node $k ready"; return; fi
    alive "$STATE/node-$k.pid" || { echo "node $k died; see $STATE/node-$k.log" >&2; return 1; }
    sleep 1
  done
  echo "node $k not ready after 2 minutes; see $STATE/node-$k.log" >&2; return 1
}

next_free() {
  local k
  for k in $(seq 1 "$MAX_NODES"); do alive "$STATE/node-$k.pid" || { echo "$k"; return; }; done
  echo "at most $MAX_NODES nodes" >&2; exit 1
}

stop_pid() {
  local pidfile=$1 signal=$2
  alive "$pidfile" || { rm -f "$pidfile"; return; }
  local pid; pid=$(cat "$pidfile")
  kill "-$signal" "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  rm -f "$pidfile"
}

usage() { echo "$1" >&2; sed -n '5,10p' "$0" >&2; exit 2; }

# The node number argument of remove and kill: 1 to MAX_NODES.
node_number() {
  [[ "${1:-}" =~ ^[1-9][0-9]*$ && "$1" -le "$MAX_NODES" ]] || usage "give a node number from 1 to $MAX_NODES (ops/cluster.sh status lists them)"
  echo "$1"
}

require_running() {
  alive "$STATE/node-$1.pid" && return
  echo "node $1 is not running (ops/cluster.sh status lists the nodes)" >&2; exit 1
}

# How the cluster sees 127.0.0.K: its member status and whether it is unreachable, from the members
# document ($2) of a node that answers; "not a member" when the cluster does not list it.
member_state() {
  local entries state
  entries=$(printf '%s' "$2" | tr '{' '\n' | grep -F "\"node\":\"pekko://tally@127.0.0.$1:25520\"" || true)
  state=$(printf '%s\n' "$entries" | grep -o '"status":"[^"]*"' | head -1 | cut -d'"' -f4 || true)
  [ -n "$state" ] || state="not a member"
  if printf '%s\n' "$entries" | grep -q '"observedBy"'; then state="$state, unreachable"; fi
  echo "$state"
}

# Each node's process (running or dead), its /ready, and its membership as the running nodes see it:
# a killed node stays a member, unreachable, until the split brain resolver downs it.
status() {
  local k members="" listed=""
  if alive "$STATE/cassandra.pid"; then echo "Cassandra  running (pid $(cat "$STATE/cassandra.pid")) on 127.0.0.1:$CQL_PORT"
  else echo "Cassandra  not running"; fi
  for k in $(seq 1 "$MAX_NODES"); do
    if alive "$STATE/node-$k.pid" && [ -z "$members" ]; then
      members=$(curl -sf --max-time 5 "http://127.0.0.$k:8558/cluster/members" 2>/dev/null || true)
    fi
  done
  for k in $(seq 1 "$MAX_NODES"); do
    # A killed node's pid is kept in node-K.killed: it stays a member until it is downed.
    local pidfile="$STATE/node-$k.pid"
    [ -f "$pidfile" ] || pidfile="$STATE/node-$k.killed"
    [ -f "$pidfile" ] || continue
    listed=yes
    local pid process ready="-" member="-"
    pid=$(cat "$pidfile")
    if alive "$STATE/node-$k.pid"; then
      process="running (pid $pid)"
      ready="not ready"
      curl -sf --max-time 5 "http://127.0.0.$k:8558/ready" > /dev/null 2>&1 && ready="ready"
    else
      process="dead (pid $pid is gone)"
    fi
    [ -n "$members" ] && member=$(member_state "$k" "$members")
    printf 'node %d  %-24s %-10s member: %-22s gRPC 127.0.0.%d:50051  management http://127.0.0.%d:8558\n' \
      "$k" "$process" "$ready" "$member" "$k" "$k"
  done
  [ -n "$listed" ] || echo "no nodes (ops/cluster.sh start)"
  if [ -z "$members" ] && [ -n "$listed" ]; then echo "no running node answered for the cluster's members"; fi
}

case "${1:-}" in
  start)
    [[ "${2:-3}" =~ ^[1-9]$ ]] || usage "give a number of nodes from 1 to $MAX_NODES"
    build; start_cassandra
    # shellcheck disable=SC2046
    for k in $(seq 1 "${2:-3}"); do start_node "$k" $(seq 1 "${2:-3}"); done
    for k in $(seq 1 "${2:-3}"); do wait_ready "$k"; done ;;
  add)
    build; k=$(next_free); start_node "$k"; wait_ready "$k" ;;
  remove)
    k=$(node_number "${2:-}"); require_running "$k"; stop_pid "$STATE/node-$k.pid" TERM; echo "node $k left" ;;
  kill)
    k=$(node_number "${2:-}"); require_running "$k"; cp "$STATE/node-$k.pid" "$STATE/node-$k.killed"
    stop_pid "$STATE/node-$k.pid" KILL; echo "node $k killed" ;;
  status)
    status ;;
  stop)
    for k in $(seq 1 "$MAX_NODES"); do stop_pid "$STATE/node-$k.pid" TERM; rm -f "$STATE/node-$k.killed"; done
    stop_pid "$STATE/cassandra.pid" TERM; echo "stopped" ;;
  *)
    usage "unknown command: ${1:-(none)}" ;;
esac
