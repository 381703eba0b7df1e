#!/usr/bin/env bash
# A long fuzzing campaign of one Jazzer target (docs/fuzzing.md).
#
#   bench/fuzz.sh TARGET [--runs N] [--seconds S] [-- MAVEN_ARGS...]
#
# TARGET: decoder (SipMessageDecoder, datagram and stream), requests (the proxy's
# request path), responses (its response path). The campaign stops after N
# executions or S seconds, whichever comes first (default: 1,000,000 runs for
# the decoder, 200,000 for the proxy targets, no time limit). It starts from the
# committed seeds and past findings plus the corpus earlier campaigns grew in
# sbc-runtime/.fuzz-corpus/TARGET (not committed; apart from the test command's
# .cifuzz-corpus, so that its short runs keep a short start), and prints
# executions, duration, findings and the proxy's transaction figures. The whole log is in
# sbc-runtime/target/fuzz-TARGET.log. A finding is written as crash-* next to
# the target's seeds (src/test/resources/io/sbc/runtime/fuzz/<Class>Inputs/),
# where the test command then replays it.
set -uo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
target=$1; shift
case "$target" in
  decoder) class=DecoderFuzzTest; runs=1000000 ;;
  requests) class=ProxyRequestFuzzTest; runs=200000 ;;
  responses) class=ProxyResponseFuzzTest; runs=200000 ;;
  *) usage ;;
esac
seconds=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --) shift; break ;;
    *) usage ;;
  esac
done

log=sbc-runtime/target/fuzz-$target.log
corpus=$PWD/sbc-runtime/.fuzz-corpus/$target
mkdir -p sbc-runtime/target "$corpus"
echo "fuzz.sh: $class, at most $runs runs$([ "$seconds" -gt 0 ] && echo " or $seconds s"); log: $log"
start=$(date +%s)
# -Dtest selects the one target (and leaves the test command's short runs out); JAZZER_FUZZ
# makes it fuzz; the jazzer.internal.arg.* parameters are libFuzzer's command line: the first
# directory is where new inputs go, the flags come after the @FuzzTest's own (max_total_time
# from its maxDuration), so they win.
JAZZER_FUZZ=1 mvn -B -pl sbc-runtime -am test \
  -Dtest="$class" -Dsurefire.failIfNoSpecifiedTests=false \
  -Djazzer.internal.arg.0="fuzz-$target" \
  -Djazzer.internal.arg.1="$corpus" \
  -Djazzer.internal.arg.2="-runs=$runs" \
  -Djazzer.internal.arg.3="-max_total_time=$seconds" \
  -Djazzer.internal.arg.4="-timeout=10" \
  -Djazzer.internal.arg.5="-print_final_stats=1" \
  -DargLine=-Xmx1g \
  "$@" >"$log" 2>&1
status=$?
end=$(date +%s)

echo "fuzz.sh: maven exit status $status, $((end - start)) s wall time including the build"
grep -a -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" | tail -2
grep -a -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1
grep -a -E '^stat::' "$log"
grep -a -E '^(DecoderFuzzTest|ProxyRequestFuzzTest|ProxyResponseFuzzTest): ' "$log"
findings=$(grep -a -c 'Test unit written to' "$log")
echo "fuzz.sh: findings: $findings"
grep -a -E 'Test unit written to|FuzzTestFindingException|==ERROR|Caused by' "$log" | head -10
exit $status
