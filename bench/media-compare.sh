#!/usr/bin/env bash
# The SBC with topology hiding and media anchored on RTPengine against Kamailio doing the same
# (../shared/bench/kamailio-sbc.cfg: topoh and rtpengine), one RTPengine answering both on
# 127.0.0.1:2223 (started here in userspace, stopped by its PID at the end). Runs
# ../shared/bench/compare-kamailio.sh (the SIPp calls of ../shared/bench/scenarios carry SDP)
# and reports, besides its line, RTPengine's CPU per call while each proxy was loaded (sampled
# around every round of compare-kamailio.sh's output).
#   RATE=300 SECS=10 ROUNDS=3 bench/media-compare.sh
# Needs ports 5060, 5074, 5080, 5090 and 2223 free, and rtpengine (rtpengine-daemon).
set -u
. "$(dirname "$0")/lib.sh"
RTPE_DIR=$(mktemp -d)
rtpengine --config-file=none --table=-1 --interface=127.0.0.1 --listen-ng=127.0.0.1:2223 \
  --port-min=20000 --port-max=29999 --delete-delay=0 --foreground --log-stderr --log-level=4 \
  --pidfile="$RTPE_DIR/pid" >"$RTPE_DIR/log" 2>&1 &
RTPE_PID=$!
stop_rtpe() { kill "$RTPE_PID" 2>/dev/null && while kill -0 "$RTPE_PID" 2>/dev/null; do sleep 0.1; done; rm -rf "$RTPE_DIR"; }
sleep 1
kill -0 "$RTPE_PID" 2>/dev/null || { echo "rtpengine did not start: $(tail -3 "$RTPE_DIR/log")"; exit 2; }
trap 'stop_sbc; stop_rtpe' EXIT
CONFIG=${CONFIG:-$REPO/bench/media.yaml}
start_sbc
rtpe_ticks() { local s f; s=$(cat "/proc/$RTPE_PID/stat"); s=${s##*) }; read -r -a f <<< "$s"; echo $((f[11] + f[12])); }
OUT=$RTPE_DIR/out
# Follow compare-kamailio.sh line by line: each "port=..." line ends a round of one proxy; the
# RTPengine CPU since the previous line is that round's.
T=$(rtpe_ticks)
KAMAILIO_CFG=kamailio-sbc.cfg KAMAILIO_PORT=5074 \
  "$SHARED/bench/compare-kamailio.sh" "$SBC_PORT" "$SBC_PID" "${RATE:-300}" "${SECS:-10}" "${ROUNDS:-3}" |
  while IFS= read -r line; do
    echo "$line"
    if [[ "$line" == *cpu_us_per_call=* ]]; then
      N=$(rtpe_ticks); OK=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<< "$line")
      US=$(( (N - T) * 1000000 / $(getconf CLK_TCK) / (OK > 0 ? OK : 1) ))
      echo "${line%% *} rtpengine_cpu_us_per_call=$US" | tee -a "$OUT"; T=$N
    fi
  done
python3 - "$OUT" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for who in ("proxy", "kamailio"):
    v = [int(r[-1].split("=")[1]) for r in rows if r[0] == who]
    if v:
        print(f"median rtpengine_cpu_us_per_call with {who}={statistics.median(v)} (rounds: {v})")
PY
