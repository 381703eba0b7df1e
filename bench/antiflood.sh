#!/usr/bin/env bash
# What a refused flood request costs the SBC against what a call costs, in one run (issue 14):
# the SBC (UDP 127.0.0.1:5060 -> 127.0.0.1:5090, antiFlood 1000 requests/s per source, burst
# 2000, bans of 10 minutes) with
#   1. nothing: the idle CPU (timer ticks), subtracted from the phases below;
#   2. legitimate calls only: ../shared/bench/sipp-load.sh at CALL_RATE calls/s from 127.0.0.1;
#   3. the flood only: SIPp sends FLOOD_RATE OPTIONS/s from 127.0.0.5 (banned after its burst);
#   4. both at once: the calls must all succeed.
# CPU is user+system time of the java process (/proc/PID/stat); refused requests come from
# /sbc/status. Prints each phase and the ratio CPU per refused request / CPU per call.
#   CALL_RATE=200 FLOOD_RATE=5000 SECS=10 bench/antiflood.sh
set -u
. "$(dirname "$0")/lib.sh"
CALL_RATE=${CALL_RATE:-200}; FLOOD_RATE=${FLOOD_RATE:-5000}; SECS=${SECS:-10}
MGMT=${MGMT_PORT:-18089}
cat > "$RUN/antiflood.yaml" <<'YAML'
apiVersion: sbc.io/v1alpha1
kind: SipGateway
metadata:
  name: antiflood
spec:
  listeners:
    - name: udp
      protocol: SIP-UDP
      address: 127.0.0.1
      port: 5060
  antiFlood: {requestsPerSecond: 1000, burst: 2000, banSeconds: 600}
---
apiVersion: sbc.io/v1alpha1
kind: SipRoute
metadata:
  name: default
spec:
  parentRefs:
    - name: antiflood
  rules:
    - backendRefs:
        - uri: sip:127.0.0.1:5090
YAML
CONFIG="$RUN/antiflood.yaml" JAVA_OPTS="${JAVA_OPTS:-} -Dquarkus.http.port=$MGMT -Dquarkus.http.host=127.0.0.1" start_sbc
ticks() { local s f; s=$(cat "/proc/$SBC_PID/stat"); s=${s##*) }; read -r -a f <<< "$s"; echo $((f[11] + f[12])); }
ms() { echo $(( $1 * 1000 / $(getconf CLK_TCK) )); }
refused() {
  curl -s "http://127.0.0.1:$MGMT/sbc/status" | python3 -c '
import json, sys
d = json.load(sys.stdin)["messages"]["droppedByReason"]
print(d["rate_limited"] + d["source_banned"])'
}
flood() { # RATE SECONDS: OPTIONS from 127.0.0.5, never waiting for answers
  sipp -sf "$REPO/src/test/resources/scenarios/flood_options.xml" 127.0.0.1:5060 -i 127.0.0.5 -p 5070 \
    -r "$1" -m $(($1 * $2)) -timeout $(($2 + 30)) -nostdin -trace_stat -stf "$RUN/flood.csv" -fd 1 \
    >/dev/null 2>&1
}
sent() { tail -1 "$RUN/flood.csv" | awk -F';' '{print $13+0}'; } # TotalCallCreated

# Warm up the JIT with calls, and let the flood source be banned once for good (ban 10 min).
"$SHARED/bench/sipp-load.sh" 5060 "$CALL_RATE" 5 "$SBC_PID" | sed 's/^/warm-up /'
flood "$FLOOD_RATE" 2; echo "warm-up flood: sent $(sent), refused $(refused)"

T0=$(ticks); sleep "$SECS"; IDLE_MS=$(ms $(( $(ticks) - T0 )))
echo "1. idle: cpu_ms=$IDLE_MS over $SECS s"

LINE=$("$SHARED/bench/sipp-load.sh" 5060 "$CALL_RATE" "$SECS" "$SBC_PID")
echo "2. calls only: $LINE"
CALL_CPU_MS=$(echo "$LINE" | sed -n 's/.*cpu_ms=\([0-9]*\).*/\1/p'); CALLS_OK=$(echo "$LINE" | sed -n 's/.* ok=\([0-9]*\).*/\1/p')

R0=$(refused); T0=$(ticks); flood "$FLOOD_RATE" "$SECS"; T1=$(ticks); R1=$(refused)
FLOOD_CPU_MS=$(ms $((T1 - T0))); REFUSED=$((R1 - R0))
echo "3. flood only: sent=$(sent) refused=$REFUSED cpu_ms=$FLOOD_CPU_MS"

flood "$FLOOD_RATE" $((SECS + 2)) & FPID=$!
sleep 1
LINE=$("$SHARED/bench/sipp-load.sh" 5060 "$CALL_RATE" "$SECS" "$SBC_PID")
wait $FPID
echo "4. calls during the flood: $LINE (flood sent $(sent))"

python3 - "$IDLE_MS" "$SECS" "$CALL_CPU_MS" "$CALLS_OK" "$FLOOD_CPU_MS" "$REFUSED" <<'PY'
import sys
idle, secs, call_ms, calls, flood_ms, refused = map(float, sys.argv[1:])
idle_per_s = idle / secs
# The calls and the flood phases last about SECS each (sipp-load.sh waits a little longer).
per_call = max(call_ms - idle_per_s * secs, 0) * 1000 / max(calls, 1)
per_refused = max(flood_ms - idle_per_s * secs, 0) * 1000 / max(refused, 1)
print(f"cpu µs per call {per_call:.1f}, per refused flood request {per_refused:.2f}, "
      f"ratio {per_refused / per_call:.4f} (idle {idle_per_s:.0f} ms/s subtracted)")
PY
