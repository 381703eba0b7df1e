# Shared by bench/compare.sh and bench/load.sh (sourced, not run): starts the
# packaged SBC in the background, waits until it answers OPTIONS, stops it by PID.
# Layout: the repository is cloned with shared/ beside it ($(dirname repo)/shared).
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=$(dirname "$REPO")/shared
JAR=$REPO/sbc-runtime/target/quarkus-app/quarkus-run.jar
SBC_PORT=5060
SBC_PID=
RUN=$(mktemp -d)

# The config: examples/quickstart.yaml (UDP 127.0.0.1:5060 -> sip:127.0.0.1:5090),
# or CONFIG=FILE; when the example is missing, an equivalent one is written.
sbc_config() {
  if [ -n "${CONFIG:-}" ]; then echo "$CONFIG"; return; fi
  if [ -f "$REPO/examples/quickstart.yaml" ]; then echo "$REPO/examples/quickstart.yaml"; return; fi
  cat > "$RUN/quickstart.yaml" <<'YAML'
apiVersion: sbc.io/v1alpha1
kind: SipGateway
metadata:
  name: quickstart
spec:
  listeners:
    - name: udp
      protocol: SIP-UDP
      address: 127.0.0.1
      port: 5060
---
apiVersion: sbc.io/v1alpha1
kind: SipRoute
metadata:
  name: default
spec:
  parentRefs:
    - name: quickstart
  rules:
    - recordRoute: true
      forking: serial
      backendRefs:
        - uri: sip:127.0.0.1:5090
YAML
  echo "bench: examples/quickstart.yaml is missing, using an equivalent $RUN/quickstart.yaml" >&2
  echo "$RUN/quickstart.yaml"
}

# OPTIONS sip:127.0.0.1:PORT over UDP; succeeds on a 200 within TIMEOUT seconds.
sip_ping() {
  python3 - "$1" "${2:-1}" <<'PY'
import socket, sys, time, uuid
port, timeout = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
lp, cid = s.getsockname()[1], uuid.uuid4().hex
msg = (f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{lp};branch=z9hG4bK{cid[:16]};rport\r\n"
       f"Max-Forwards: 70\r\nFrom: <sip:bench@127.0.0.1>;tag={cid[16:24]}\r\nTo: <sip:127.0.0.1:{port}>\r\n"
       f"Call-ID: {cid}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
s.sendto(msg.encode(), ("127.0.0.1", port))
end = time.time() + timeout
while time.time() < end:
    s.settimeout(max(0.01, end - time.time()))
    try:
        data = s.recv(65535).decode("latin-1")
    except (socket.timeout, ConnectionRefusedError):
        break
    if cid in data and data.startswith("SIP/2.0 2"):
        sys.exit(0)
sys.exit(1)
PY
}

start_sbc() {
  if [ ! -f "$JAR" ]; then
    echo "bench: $JAR is missing, building (mvn -B -q -DskipTests package)"
    (cd "$REPO" && mvn -B -q -DskipTests package) || exit 1
  fi
  local cfg; cfg=$(sbc_config)
  if sip_ping "$SBC_PORT" 0.5; then
    echo "bench: something already answers on 127.0.0.1:$SBC_PORT; stop it first" >&2; exit 2
  fi
  # shellcheck disable=SC2086
  local name=${SBC_NAME:-sbc}
  # The management HTTP port is not needed here: a free one, so that two SBCs can run side by side.
  java $(grep -v '^#' "$REPO/jvm.options" | tr '\n' ' ') -Dquarkus.http.port=0 ${JAVA_OPTS:-} \
    -jar "$JAR" --config "$cfg" --pid-file "$RUN/$name.pid" >"$RUN/$name.log" 2>&1 &
  SBC_PID=$!
  ALL_PIDS="${ALL_PIDS:-} $SBC_PID"
  local deadline=$((SECONDS + ${SBC_START_SECONDS:-30}))
  until sip_ping "$SBC_PORT" 1; do
    if ! kill -0 "$SBC_PID" 2>/dev/null; then
      echo "bench: the SBC exited; log tail:" >&2; tail -20 "$RUN/$name.log" >&2; SBC_PID=; exit 2
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "bench: the SBC did not answer OPTIONS on 127.0.0.1:$SBC_PORT within ${SBC_START_SECONDS:-30} s; log tail:" >&2
      tail -20 "$RUN/$name.log" >&2; exit 2
    fi
    sleep 0.3
  done
  echo "bench: SBC up, pid $SBC_PID, log $RUN/$name.log"
}

stop_sbc() {
  local p
  for p in ${ALL_PIDS:-}; do
    if kill -0 "$p" 2>/dev/null; then
      kill "$p"
      for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$p" 2>/dev/null && kill -9 "$p"
      wait "$p" 2>/dev/null
    fi
  done
  SBC_PID=; ALL_PIDS=
  if grep -qs "has been blocked for" "$RUN"/*.log; then
    echo "bench: WARNING: an SBC log reports a blocked event loop (has been blocked for)"
    BLOCKED=1
  fi
  if [ "${KEEP_LOG:-0}" = 1 ]; then echo "bench: kept $RUN"; else rm -rf "$RUN"; fi
}
trap stop_sbc EXIT
