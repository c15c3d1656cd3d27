#!/usr/bin/env bash
# Runs a local Tally: builds what it needs (only when a source changed, see ops/build.sh), starts its
# own Cassandra and one node on 127.0.0.1, prints the gRPC address and keeps data in .tally-data/
# (or the folder given as $1). Ctrl-C stops both. Needs only a JDK 17.
set -euo pipefail
cd "$(dirname "$0")/.."
source ops/build.sh
build_module ops/local
exec java -cp "$(cat ops/local/target/runtime.classpath):ops/local/target/classes" dev.tally.ops.local.RunLocal "${1:-.tally-data}"
