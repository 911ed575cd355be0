#!/usr/bin/env bash
# Builds the examples from source and runs one: the chat by default, or a seed program.
#
#   bash scripts/run.sh                          # the chat on http://localhost:8080/
#   bash scripts/run.sh --port 9090 --transport jetty
#   bash scripts/run.sh --help                   # the chat's flags
#   bash scripts/run.sh LastTen 8080             # a seed: BroadcastAll, BroadcastOthers, LastTen
#
# Maven compiles what the examples need in this checkout (tests are neither compiled nor run) and
# prints one line per module and a running count of downloads; its full log is kept in
# examples/target/run-build.log, and its last lines are shown if the build fails. Nothing is
# installed into the local Maven repository. Then the program runs in the foreground under plain
# `java`, so its own log lines show as they come and Ctrl+C stops it cleanly.
#
# Maven options (another local repository, say) go in MAVEN_OPTS:
#   MAVEN_OPTS=-Dmaven.repo.local=/tmp/m2 bash scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

main=dev.hubcast.examples.chat.ChatServer
case "${1:-}" in
  BroadcastAll | BroadcastOthers | LastTen)
    main="dev.hubcast.examples.$1"
    shift
    ;;
esac

mkdir -p examples/target
log=examples/target/run-build.log
echo "building the examples with Maven (the first run downloads the dependencies: a few minutes)"
start=$SECONDS
set +e
mvn -B -pl examples -am compile dependency:build-classpath \
  -Dmdep.outputFile=target/run-classpath.txt -Dmdep.includeScope=runtime \
  -Dmaven.test.skip=true -Djacoco.skip=true 2>&1 |
  tee "$log" |
  awk '
    /^\[INFO\] Building .* \[[0-9]+\/[0-9]+\]$/ {
      step = $NF; name = $0
      sub(/^\[INFO\] Building /, "", name); sub(/ [^ ]+ +\[[0-9]+\/[0-9]+\]$/, "", name)
      printf "  %s %s\n", step, name; fflush(); next
    }
    /^(\[INFO\] )?Downloaded from / {
      n++
      if (n == 1 || n % 100 == 0) { printf "  downloading dependencies: %d files so far\n", n; fflush() }
      next
    }
    /^\[ERROR\]/ { print; fflush() }
    END { if (n > 0) printf "  downloaded %d files\n", n }
  '
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "the build failed (exit $status); the end of $log:" >&2
  tail -n 40 "$log" >&2
  exit "$status"
fi
echo "built in $((SECONDS - start)) s; starting ${main##*.}"

java=java
if [ -n "${JAVA_HOME:-}" ]; then
  java="$JAVA_HOME/bin/java"
fi
exec "$java" -cp "examples/target/classes:$(cat examples/target/run-classpath.txt)" "$main" "$@"
