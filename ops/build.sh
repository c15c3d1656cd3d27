# Sourced by run-local.sh, tallyctl.sh and cluster.sh: builds a runnable module only when a source
# changed since its last build, with a compact progress line, and never installs into ~/.m2.
#
#   build_module ops/local    packages ops/local and the modules it needs (reactor `package`, tests
#                             skipped); the module then runs from ops/local/target/runtime.classpath,
#                             which names the other modules' jars in their target/ folders.
#
# Maven options for one run go in MAVEN_ARGS (read by Maven itself), e.g. an empty repository:
#   MAVEN_ARGS=-Dmaven.repo.local=/tmp/empty-repo ./ops/run-local.sh
# Maven's full output of the last build is in target/tally-build.log.

tally_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# A source, resource, schema or POM of any module newer than $1, or nothing: one is enough.
tally_changed_since() {
  find "$tally_root" \( -name target -o -name '.*' -a ! -name . -a ! -name .mvn \) -prune -o -type f \
    \( -path '*/src/main/*' -o -name pom.xml -o -path '*/ops/cql/*' -o -path '*/.mvn/*' \) \
    -newer "$1" -print -quit
}

build_module() {
  local module=$1
  local stamp="$tally_root/$module/target/tally-build.stamp"
  if [[ -f "$stamp" && -f "$tally_root/$module/target/runtime.classpath" && -z "$(tally_changed_since "$stamp")" ]]; then
    return 0
  fi
  mkdir -p "$tally_root/target"
  local log="$tally_root/target/tally-build.log" started=$SECONDS
  # Stamped before the build starts, so that a file saved while Maven runs triggers the next build.
  local next_stamp; next_stamp=$(mktemp "$tally_root/target/stamp.XXXXXX")
  echo "building $module (sources changed since its last build, or never built); log: $log" >&2
  (cd "$tally_root" && ./mvnw -B -DskipTests package -pl "$module" -am) 2>&1 | tee "$log" | tally_build_progress >&2
  if [[ ${PIPESTATUS[0]} -eq 0 ]]; then
    mv "$next_stamp" "$stamp"
    echo "built $module in $((SECONDS - started)) s" >&2
  else
    rm -f "$next_stamp"
    echo "build of $module failed; the end of $log:" >&2
    tail -n 40 "$log" >&2
    return 1
  fi
}

# Maven's output reduced to one line per module and a count of downloads: on a terminal the line is
# redrawn in place, elsewhere each module gets a line and the count one every 100 downloads.
tally_build_progress() {
  local tty=0
  [[ -t 2 ]] && tty=1
  awk -v tty="$tty" '
    function show(text) {
      if (tty) { printf "\r\033[K%s", text } else { print text }
      fflush()
    }
    /^\[INFO\] Building .*\[[0-9]+\/[0-9]+\]$/ {
      module = $0; sub(/^\[INFO\] Building /, "", module); gsub(/  +/, " ", module)
      show("  " module (downloads ? "  (" downloads " files downloaded)" : ""))
    }
    /^Downloaded from / || /^\[INFO\] Downloaded from / {
      downloads++
      if (tty) show("  downloading dependencies: " downloads " files")
      else if (downloads % 100 == 0) show("  downloading dependencies: " downloads " files")
    }
    END { if (tty) printf "\r\033[K" }
  '
}
