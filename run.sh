#!/usr/bin/env bash
# Runs the SBC locally in the foreground from a config file:
#   ./run.sh [CONFIG]        (default examples/quickstart.yaml)
# Builds the runtime first when sbc-runtime/target/quarkus-app/quarkus-run.jar
# is missing. JVM options come from jvm.options; JAVA_OPTS adds more. The JVM writes its PID to ./sbc.pid
# (exec: the PID is java's own). Stop it with Ctrl-C or kill "$(cat sbc.pid)".
set -euo pipefail
CONFIG=${1:-examples/quickstart.yaml}
REPO=$(cd "$(dirname "$0")" && pwd)
# resolve the config against the caller's directory, then against the repo
if [ -f "$CONFIG" ]; then
  CONFIG=$(cd "$(dirname "$CONFIG")" && pwd)/$(basename "$CONFIG")
elif [ -f "$REPO/$CONFIG" ]; then
  CONFIG=$REPO/$CONFIG
else
  echo "run.sh: config file $CONFIG not found" >&2
  exit 1
fi
cd "$REPO"
JAR=sbc-runtime/target/quarkus-app/quarkus-run.jar
if [ ! -f "$JAR" ]; then
  echo "run.sh: $JAR is missing, building (mvn -B -q -DskipTests package)"
  mvn -B -q -DskipTests package
fi
PIDFILE=$REPO/sbc.pid
echo "run.sh: starting the SBC with $CONFIG; pid file: $PIDFILE"
OPTS=$(grep -v '^#' "$REPO/jvm.options" | tr '\n' ' ')
# shellcheck disable=SC2086
exec java $OPTS ${JAVA_OPTS:-} -jar "$JAR" --config "$CONFIG" --pid-file "$PIDFILE"
