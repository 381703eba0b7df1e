#!/usr/bin/env bash
# The SBC's registrar (bindings in memory, digest with MD5 offered first: SIPp 3.6 computes MD5
# only) against Kamailio's (../shared/bench/kamailio-registrar.cfg, usrloc in memory) in one run:
# N users register with digest through ../shared/bench/register-load.sh at RATE/s, alternately
# on each, ROUNDS times (later rounds refresh the same bindings); prints each round's line, the
# median ratio of CPU per registration (SBC / Kamailio), and the SBC's heap per binding after
# the first round (used heap after a full GC, minus the same before any registration, / N).
#   N=100000 RATE=1000 ROUNDS=3 bench/registrar-compare.sh
# Needs ports 5072, 5081 and 5082 free, kamailio and jcmd.
set -u
. "$(dirname "$0")/lib.sh"
N=${N:-100000}; RATE=${RATE:-1000}; ROUNDS=${ROUNDS:-3}
SBC_PORT=5082
CFG=$RUN/registrar.yaml
python3 - "$N" "$CFG" <<'PY'
import hashlib, sys
n, out = int(sys.argv[1]), sys.argv[2]
with open(out, "w") as f:
    f.write("""apiVersion: sbc.io/v1alpha1
kind: SipGateway
metadata:
  name: registrar
spec:
  listeners:
    - name: udp
      protocol: SIP-UDP
      address: 127.0.0.1
      port: 5082
  domains: [sbc.test]
  registrar:
    digestAlgorithms: [MD5, SHA-256]
    maxAuthFailures: 100000
    maxBindings: %d
    subscribers:
""" % max(n, 1))
    for i in range(n):
        u = "user%d" % i
        f.write("      - username: %s\n        ha1: %s\n        ha1Sha256: %s\n" % (
            u, hashlib.md5(("%s:sbc.test:secret" % u).encode()).hexdigest(),
            hashlib.sha256(("%s:sbc.test:secret" % u).encode()).hexdigest()))
    f.write("""---
apiVersion: sbc.io/v1alpha1
kind: SipRoute
metadata:
  name: registrar
spec:
  parentRefs:
    - name: registrar
  rules:
    - matches:
        - methods: [REGISTER]
      registrar: Register
      authentication: {}
""")
PY
KAM_DIR=$(mktemp -d)
kamailio -f "$SHARED/bench/kamailio-registrar.cfg" -m 1024 -M 32 -P "$KAM_DIR/kam.pid" -w "$KAM_DIR" >"$KAM_DIR/log" 2>&1
sleep 2
KAM_PID=$(cat "$KAM_DIR/kam.pid" 2>/dev/null)
stop_kam() { [ -n "$KAM_PID" ] && kill "$KAM_PID" 2>/dev/null; for _ in $(seq 50); do kill -0 "$KAM_PID" 2>/dev/null || break; sleep 0.1; done; rm -rf "$KAM_DIR"; }
trap 'stop_sbc; stop_kam' EXIT
[ -n "$KAM_PID" ] && kill -0 "$KAM_PID" 2>/dev/null || { echo "kamailio did not start: $(tail -3 "$KAM_DIR/log")"; exit 2; }
CONFIG=$CFG SBC_START_SECONDS=${SBC_START_SECONDS:-180} start_sbc
heap_used() { jcmd "$SBC_PID" GC.run >/dev/null 2>&1; sleep 1; jcmd "$SBC_PID" GC.heap_info 2>/dev/null | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -1; }
H0=$(heap_used)
OUT=$RUN/rounds
for r in $(seq "$ROUNDS"); do
  "$SHARED/bench/register-load.sh" "$SBC_PORT" "$RATE" "$N" "$SBC_PID" | sed 's/^/sbc /' | tee -a "$OUT"
  if [ "$r" = 1 ]; then H1=$(heap_used); fi
  "$SHARED/bench/register-load.sh" 5072 "$RATE" "$N" "$KAM_PID" | sed 's/^/kamailio /' | tee -a "$OUT"
done
python3 - "$OUT" "$N" "${H0:-0}" "${H1:-0}" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
def us(who):
    return [int(w.split("=")[1]) for r in rows if r[0] == who for w in r if w.startswith("cpu_us_per_registration=")]
s, k = us("sbc"), us("kamailio")
ratios = [a / b for a, b in zip(s, k) if b > 0]
n, h0, h1 = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print("sbc_us_per_registration=%s kamailio_us_per_registration=%s" % (s, k))
if ratios:
    print("median_ratio=%.2f (SBC CPU per registration / Kamailio's, %d rounds)" % (statistics.median(ratios), len(ratios)))
if h1 > 0:
    print("heap_per_binding_bytes=%d (%d bindings, used heap after full GC %d KB -> %d KB)" % ((h1 - h0) * 1024 // n, n, h0, h1))
PY
