#!/usr/bin/env bash
# tallyctl, the operator CLI (ops/tallyctl/README.md). Builds it the first time and whenever a source
# changed (ops/build.sh), then runs it with the arguments given: ./ops/tallyctl.sh org show acme
# Needs only a JDK 17. Build output goes to stderr, so stdout stays one JSON document with --json.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/ops/build.sh"
build_module ops/tallyctl
module="$root/ops/tallyctl"
exec java -cp "$(cat "$module/target/runtime.classpath"):$module/target/classes" dev.tally.ops.tallyctl.Tallyctl "$@"
