#!/usr/bin/env bash
# SIP over TLS, the SBC against Kamailio in one run:
#   SIPp UAC (UDP) -> Kamailio TLS client (kamailio-tls-front.cfg, 127.0.0.1:5064)
#     -> TLS -> the SBC (bench/tls.yaml, 127.0.0.1:5061) | a Kamailio TLS server doing the same
#        routing (kamailio-tls-server.cfg, 127.0.0.1:5063)
#     -> UDP -> SIPp UAS (127.0.0.1:5090)
# Rounds alternate (SBC, Kamailio, SBC, ...); each prints the calls ok/failed and the CPU per call
# of the process under test (the SBC's JVM; the Kamailio server's processes); the last line gives
# the medians and their ratio. Certificates are made here with openssl (a test CA; the front
# Kamailio checks the servers' chains). Every process started here is stopped by its PID.
#   RATE=500 SECS=10 ROUNDS=3 bench/tls-compare.sh
# Needs ports 5060-5066 and 5080, 5090 free, kamailio with kamailio-tls-modules, sipp, openssl.
set -u
. "$(dirname "$0")/lib.sh"
RATE=${RATE:-500}; SECS=${SECS:-10}; ROUNDS=${ROUNDS:-3}
KFRONT=; KSERVER=; UAS=
stop_all() {
  local p
  for p in $UAS $KFRONT $KSERVER; do
    kill "$p" 2>/dev/null && while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
  done
  stop_sbc
}
trap stop_all EXIT

# A CA, and one certificate for each TLS server (the SBC and both Kamailios).
ossl() { openssl "$@" >/dev/null 2>&1 || { echo "openssl $1 failed"; exit 2; }; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$RUN/ca.key" \
  -out "$RUN/ca.crt" -days 2 -subj "/CN=bench CA"
for n in sbc kamailio front; do
  ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$RUN/$n.key"
  ossl req -new -key "$RUN/$n.key" -out "$RUN/$n.csr" -subj "/CN=$n.bench"
  printf 'subjectAltName=DNS:%s.bench,IP:127.0.0.1\n' "$n" > "$RUN/$n.ext"
  ossl x509 -req -in "$RUN/$n.csr" -CA "$RUN/ca.crt" -CAkey "$RUN/ca.key" -CAcreateserial \
    -out "$RUN/$n.crt" -days 2 -extfile "$RUN/$n.ext"
done
tls_cfg() { # NAME CERT
  cat > "$RUN/tls-$1.cfg" <<CFG
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = $RUN/$2.crt
private_key = $RUN/$2.key
[client:default]
method = TLSv1.2+
verify_certificate = yes
require_certificate = yes
ca_list = $RUN/ca.crt
CFG
}
tls_cfg front front; tls_cfg server kamailio
HERE=$REPO/bench
sed "s#@RUN@#$RUN#g" "$HERE/kamailio-tls-front.cfg" > "$RUN/front.cfg"
sed "s#@RUN@#$RUN#g" "$HERE/kamailio-tls-server.cfg" > "$RUN/server.cfg"
sed "s#@RUN@#$RUN#g" "$HERE/tls.yaml" > "$RUN/tls.yaml"

CONFIG=$RUN/tls.yaml start_sbc
kamailio -f "$RUN/front.cfg" -m 1024 -M 32 -P "$RUN/front.pid" -w "$RUN" >"$RUN/front.log" 2>&1 \
  || { echo "front kamailio did not start: $(tail -2 "$RUN/front.log")"; exit 2; }
kamailio -f "$RUN/server.cfg" -m 1024 -M 32 -P "$RUN/server.pid" -w "$RUN" >"$RUN/server.log" 2>&1 \
  || { echo "kamailio TLS server did not start: $(tail -2 "$RUN/server.log")"; exit 2; }
sleep 1; KFRONT=$(cat "$RUN/front.pid"); KSERVER=$(cat "$RUN/server.pid")
UAS=$(sipp -sf "$SHARED/bench/scenarios/uas_rr.xml" -aa -i 127.0.0.1 -p 5090 -bg 2>&1 \
  | sed -n 's/.*PID=\[\([0-9]*\)\].*/\1/p')
sleep 0.5
[ -n "$UAS" ] && kill -0 "$UAS" 2>/dev/null || { echo "the SIPp UAS did not start on 5090"; UAS=; exit 2; }

# user+system ticks of the processes given and their children (fields 14, 15 of /proc/PID/stat)
cpu_ticks() { local t=0 p s f; for p in "$@" $(for q in "$@"; do pgrep -P "$q"; done); do
  s=$(cat "/proc/$p/stat" 2>/dev/null) || continue; s=${s##*) }; read -r -a f <<< "$s"
  t=$((t + f[11] + f[12])); done; echo $t; }
round() { # WHO USER PID
  local calls=$((RATE * SECS)) t0 t1 rc last ok fail ms
  t0=$(cpu_ticks "$3")
  sipp -sf "$SHARED/bench/scenarios/uac_rr.xml" 127.0.0.1:5064 -s "$2" -t u1 -i 127.0.0.1 -p 5080 \
    -r "$RATE" -m "$calls" -d 200 -l 20000 -timeout $((SECS + 30)) -timeout_error -trace_stat \
    -stf "$RUN/stat-$1.csv" -fd 1 -nostdin >/dev/null 2>&1
  rc=$?; t1=$(cpu_ticks "$3")
  last=$(tail -1 "$RUN/stat-$1.csv" 2>/dev/null); rm -f "$RUN/stat-$1.csv"
  ok=$(echo "$last" | awk -F';' '{print $16+0}'); fail=$(echo "$last" | awk -F';' '{print $18+0}')
  ms=$(( (t1 - t0) * 1000 / $(getconf CLK_TCK) ))
  echo "$1 rate=$RATE calls=$calls ok=$ok failed=$fail sipp_rc=$rc cpu_ms=$ms cpu_us_per_call=$(( ms * 1000 / (ok > 0 ? ok : 1) ))" \
    | tee -a "$RUN/out"
}
for i in $(seq "$ROUNDS"); do
  round sbc sbc "$SBC_PID"
  round kamailio kam "$KSERVER"
done
python3 - "$RUN/out" <<'PY'
import re, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
def vals(who, key):
    return [int(re.search(key + r'=(-?\d+)', ' '.join(r)).group(1)) for r in rows if r[0] == who]
p, k = statistics.median(vals('sbc', 'cpu_us_per_call')), statistics.median(vals('kamailio', 'cpu_us_per_call'))
calls = vals('sbc', 'calls')
print(f"median cpu_us_per_call sbc={p} kamailio_tls_server={k} ratio={p / k:.2f} "
      f"sbc_worst_round ok={min(vals('sbc', 'ok'))}/{min(calls)} failed={max(vals('sbc', 'failed'))} "
      f"kamailio_failed_max={max(vals('kamailio', 'failed'))}")
PY
# Handshake cost: new full handshakes (TLS 1.3, no resumption) from openssl s_time for HS_SECS
# seconds against each server; CPU of the server per handshake. The JDK's TLS (the SBC) against
# OpenSSL (Kamailio): what OpenSSL through netty-tcnative could save, where connections are new.
handshakes() { # WHO PORT PID
  local t0 t1 out n
  t0=$(cpu_ticks "$3")
  out=$(openssl s_time -connect "127.0.0.1:$2" -new -time "${HS_SECS:-5}" 2>/dev/null)
  t1=$(cpu_ticks "$3")
  n=$(sed -n 's/^\([0-9]*\) connections in .* real seconds.*/\1/p' <<< "$out" | head -1)
  n=${n:-0}
  echo "$1 handshakes=$n server_cpu_us_per_handshake=$(( (t1 - t0) * 1000000 / $(getconf CLK_TCK) / (n > 0 ? n : 1) ))"
}
handshakes sbc 5061 "$SBC_PID"
handshakes kamailio 5063 "$KSERVER"
# Connections the front opened to each server: one each, reused for every call.
echo "tls connections: sbc=$(ss -Htn state established '( sport = :5061 )' | wc -l)" \
  "kamailio=$(ss -Htn state established '( sport = :5063 )' | wc -l)"
