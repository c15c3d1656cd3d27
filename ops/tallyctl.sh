#!/usr/bin/env bash
# tallyctl, the operator CLI (ops/tallyctl/README.md). Builds it the first time and whenever its
# sources changed, then runs it with the arguments given: ./ops/tallyctl.sh org show acme
# Needs only a JDK 17. Build output goes to stderr, so stdout stays one JSON document with --json.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
module="$root/ops/tallyctl"
classpath="$module/target/runtime.classpath"
if [[ ! -f "$classpath" || -n "$(find "$module/src/main" "$module/pom.xml" -newer "$classpath" -print -quit)" ]]; then
  (cd "$root" && ./mvnw -q -B install -DskipTests -pl ops/tallyctl -am) >&2
  touch "$classpath"  # the dependency plugin leaves an unchanged file as it was
fi
exec java -cp "$(cat "$classpath"):$module/target/classes" dev.tally.ops.tallyctl.Tallyctl "$@"
