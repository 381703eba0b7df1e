#!/usr/bin/env bash
# CPU per call through a route with a dispatcher against the plain quickstart, in one run:
# two SBCs run side by side (quickstart on 127.0.0.1:5060; a dispatcher route on 127.0.0.1:5062,
# one destination 127.0.0.1:5090 with OPTIONS probing), and ../shared/bench/sipp-load.sh sends the
# same load to each in turn, ROUNDS times. Prints each round and the median ratio.
#   RATE=2000 SECS=10 ROUNDS=5 bench/dispatcher-vs-quickstart.sh
set -u
. "$(dirname "$0")/lib.sh"
RATE=${RATE:-2000}; SECS=${SECS:-10}; ROUNDS=${ROUNDS:-5}
cat > "$RUN/dispatcher.yaml" <<'YAML'
apiVersion: sbc.io/v1alpha1
kind: SipGateway
metadata:
  name: bench
spec:
  listeners:
    - name: udp
      protocol: SIP-UDP
      address: 127.0.0.1
      port: 5062
---
apiVersion: sbc.io/v1alpha1
kind: SipDispatcher
metadata:
  name: pool
spec:
  algorithm: RoundRobin
  destinations:
    - uri: sip:127.0.0.1:5090
  probe:
    # sipp-load.sh restarts its callee for every round: probe often enough that the destination
    # is back (successThreshold 1) in the 0.5 s before each round's first call, and take it out
    # only after half a second of silence (a 2-core machine running SIPp at 2,000 calls/s
    # delays single answers by tens of milliseconds).
    intervalMillis: 100
    timeoutMillis: 90
    failureThreshold: 5
---
apiVersion: sbc.io/v1alpha1
kind: SipRoute
metadata:
  name: via-dispatcher
spec:
  parentRefs:
    - name: bench
  rules:
    - backendRefs:
        - kind: SipDispatcher
          name: pool
YAML
start_sbc
QPID=$SBC_PID
CONFIG="$RUN/dispatcher.yaml" SBC_PORT=5062 SBC_NAME=dispatcher start_sbc
DPID=$SBC_PID
OUT="$RUN/rounds"
for i in $(seq "$ROUNDS"); do
  "$SHARED/bench/sipp-load.sh" 5060 "$RATE" "$SECS" "$QPID" | sed 's/^/quickstart /' | tee -a "$OUT"
  "$SHARED/bench/sipp-load.sh" 5062 "$RATE" "$SECS" "$DPID" | sed 's/^/dispatcher /' | tee -a "$OUT"
done
python3 - "$OUT" <<'PY'
import re, statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if 'cpu_us_per_call=' in l]
def vals(who, key):
    return [int(re.search(key + r'=(-?\d+)', ' '.join(r)).group(1)) for r in rows if r[0] == who]
q, d = statistics.median(vals('quickstart', 'cpu_us_per_call')), statistics.median(vals('dispatcher', 'cpu_us_per_call'))
print(f"median cpu_us_per_call quickstart={q} dispatcher={d} ratio={d / q:.2f} "
      f"failed quickstart={sum(vals('quickstart', 'failed'))} dispatcher={sum(vals('dispatcher', 'failed'))}")
PY
