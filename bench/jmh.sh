#!/usr/bin/env bash
# Runs the JMH micro-benchmarks of the benchmarks/ module:
#   bench/jmh.sh [REGEX] [JMH options...]      (default: RoutingBenchmark -f 1 -wi 3 -i 5)
# e.g. bench/jmh.sh RoutingBenchmark -p prefixes=100000
# Builds sbc-api, sbc-runtime and benchmarks (offline, tests skipped), writes the module's
# classpath to benchmarks/target/jmh.classpath, then runs org.openjdk.jmh.Main in SampleTime mode
# (percentiles p50, p90, p99, p99.9 per parameter set). The heap is 4 GB (the 1M-prefix table);
# JAVA_OPTS adds JVM options for the benchmark forks. Results: benchmarks/target/jmh-result.txt.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
MVN_OFFLINE=${MVN_OFFLINE:--o}
echo "jmh.sh: building benchmarks (mvn -q $MVN_OFFLINE -pl benchmarks -am -DskipTests package)"
mvn -B -q $MVN_OFFLINE -pl benchmarks -am -DskipTests package \
  dependency:build-classpath -Dmdep.outputFile=target/jmh.classpath -Dmdep.includeScope=runtime
CP="benchmarks/target/classes:$(cat benchmarks/target/jmh.classpath)"
REGEX=${1:-RoutingBenchmark}
shift || true
if [ $# -eq 0 ]; then
  set -- -f 1 -wi 3 -i 5
fi
OUT=benchmarks/target/jmh-result.txt
# JMH options: -jvmArgs go to the forked JVM that runs the benchmark.
# shellcheck disable=SC2086
java -Xmx512m -cp "$CP" org.openjdk.jmh.Main "$REGEX" \
  -jvmArgs "-Xms4g -Xmx4g -XX:+UseParallelGC -XX:+AlwaysPreTouch ${JAVA_OPTS:-}" \
  -tu ns -bm sample -rf text -rff "$OUT" "$@"
echo
echo "jmh.sh: percentiles (ns per decision):"
grep -E "^Benchmark|p0\.(50|90|99|999)0?\b| p0\.999 |·p0\.(50|90|99|999)" "$OUT" || cat "$OUT"
