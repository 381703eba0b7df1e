#!/usr/bin/env bash
# CPU per call to a trunk named by its domain (RFC 3263: NAPTR, SRV, A through dnsmasq) against
# the same two targets written as IP literals, in one run. Both routes have a first target that
# answers every INVITE 503 (a SIPp UAS on 127.0.0.1:5091) and a second that completes the call
# (sipp-load.sh's UAS on 127.0.0.1:5090): the literal route lists them as two backendRefs with
# priorities 10 and 20 (serial failover on 503), the DNS route names sip:trunk.bench.test, whose
# SRV records give the same two with the same priorities (failover across the resolved hops).
# Two SBCs run side by side (literals on 5062, DNS on 5064) and ../shared/bench/sipp-load.sh sends
# the same load to each in turn, ROUNDS times. Prints each round and the median ratio.
#   RATE=500 SECS=20 ROUNDS=3 bench/dns-vs-literal.sh
set -u
. "$(dirname "$0")/lib.sh"
RATE=${RATE:-500}; SECS=${SECS:-20}; ROUNDS=${ROUNDS:-3}; DNS_PORT=${DNS_PORT:-15353}
[ -x /usr/sbin/dnsmasq ] || { echo "bench: /usr/sbin/dnsmasq is missing (apt-get install dnsmasq-base)"; exit 2; }
HELPERS=
stop_helpers() {
  local p
  for p in $HELPERS; do
    kill "$p" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  stop_sbc
}
trap stop_helpers EXIT
# The name server: answers kept 300 s by the SBC (dnsmasq's default TTL, 0, forbids caching).
/usr/sbin/dnsmasq --keep-in-foreground --port="$DNS_PORT" --listen-address=127.0.0.1 \
  --bind-interfaces --no-resolv --no-hosts --conf-file=/dev/null --local=/test/ --local-ttl=300 \
  --user="$(id -un)" --pid-file="$RUN/dnsmasq.pid" --log-queries --log-facility="$RUN/dnsmasq.log" \
  --naptr-record=trunk.bench.test,10,10,S,SIP+D2U,,_sip._udp.trunk.bench.test \
  --srv-host=_sip._udp.trunk.bench.test,sip1.trunk.bench.test,5091,10,0 \
  --srv-host=_sip._udp.trunk.bench.test,sip2.trunk.bench.test,5090,20,0 \
  --host-record=sip1.trunk.bench.test,127.0.0.1 --host-record=sip2.trunk.bench.test,127.0.0.1 &
HELPERS="$HELPERS $!"
# The first target: 503 to every INVITE.
UAS503=$(sipp -sf "$REPO/src/test/resources/scenarios/uas_503.xml" -i 127.0.0.1 -p 5091 -bg 2>&1 \
  | sed -n 's/.*PID=\[\([0-9]*\)\].*/\1/p')
[ -n "$UAS503" ] || { echo "bench: the 503 UAS did not start on 127.0.0.1:5091"; exit 2; }
HELPERS="$HELPERS $UAS503"
gateway() { # NAME PORT
  cat <<YAML
apiVersion: sbc.io/v1alpha1
kind: SipGateway
metadata:
  name: $1
spec:
  listeners:
    - name: udp
      protocol: SIP-UDP
      address: 127.0.0.1
      port: $2
  dns:
    servers: ["127.0.0.1:$DNS_PORT"]
---
apiVersion: sbc.io/v1alpha1
kind: SipRoute
metadata:
  name: trunk
spec:
  parentRefs:
    - name: $1
  rules:
    - backendRefs:
YAML
}
{ gateway literal 5062; cat <<'YAML'
        - uri: sip:127.0.0.1:5091
          priority: 10
        - uri: sip:127.0.0.1:5090
          priority: 20
YAML
} > "$RUN/literal.yaml"
{ gateway dns 5064; echo "        - uri: sip:trunk.bench.test"; } > "$RUN/dns.yaml"
CONFIG="$RUN/literal.yaml" SBC_PORT=5062 SBC_NAME=literal start_sbc
LPID=$SBC_PID
CONFIG="$RUN/dns.yaml" SBC_PORT=5064 SBC_NAME=dns start_sbc
DPID=$SBC_PID
OUT="$RUN/rounds"
for i in $(seq "$ROUNDS"); do
  "$SHARED/bench/sipp-load.sh" 5062 "$RATE" "$SECS" "$LPID" | sed 's/^/literal /' | tee -a "$OUT"
  "$SHARED/bench/sipp-load.sh" 5064 "$RATE" "$SECS" "$DPID" | sed 's/^/dns /' | tee -a "$OUT"
done
echo "dnsmasq answered $(grep -c 'query\[' "$RUN/dnsmasq.log") queries in all"
python3 - "$OUT" <<'PY'
import re, statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if 'cpu_us_per_call=' in l]
def vals(who, key):
    return [int(re.search(key + r'=(-?\d+)', ' '.join(r)).group(1)) for r in rows if r[0] == who]
l, d = statistics.median(vals('literal', 'cpu_us_per_call')), statistics.median(vals('dns', 'cpu_us_per_call'))
print(f"median cpu_us_per_call literal={l} dns={d} ratio={d / l:.2f} "
      f"failed literal={sum(vals('literal', 'failed'))} dns={sum(vals('dns', 'failed'))}")
PY
