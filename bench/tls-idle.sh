#!/usr/bin/env bash
# Memory per idle TLS connection: N clients (default 10,000, from one Python asyncio process)
# connect over TLS to the SBC (127.0.0.1:5061), each sends one OPTIONS (an accepted connection
# must bring a first message) and then a CRLFCRLF keep-alive every 20 s (RFC 5626 3.5.1), and
# hold. Prints the SBC's resident memory and Java heap in use (after a GC) before and after,
# per connection, and whether every connection was still open at the end.
#   N=10000 HOLD=60 bench/tls-idle.sh
# Needs ports 5060-5061 free, openssl, python3, and an open-file limit above N (ulimit -n).
set -u
. "$(dirname "$0")/lib.sh"
N=${N:-10000}; HOLD=${HOLD:-60}
ossl() { openssl "$@" >/dev/null 2>&1 || { echo "openssl $1 failed"; exit 2; }; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$RUN/ca.key" \
  -out "$RUN/ca.crt" -days 2 -subj "/CN=bench CA"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$RUN/sbc.key"
ossl req -new -key "$RUN/sbc.key" -out "$RUN/sbc.csr" -subj "/CN=sbc.bench"
printf 'subjectAltName=DNS:sbc.bench,IP:127.0.0.1\n' > "$RUN/sbc.ext"
ossl x509 -req -in "$RUN/sbc.csr" -CA "$RUN/ca.crt" -CAkey "$RUN/ca.key" -CAcreateserial \
  -out "$RUN/sbc.crt" -days 2 -extfile "$RUN/sbc.ext"
sed "s#@RUN@#$RUN#g" "$REPO/bench/tls.yaml" > "$RUN/tls.yaml"
# The limits an SBC facing N phones needs (one source address here).
python3 - "$RUN/tls.yaml" "$N" <<'PY'
import sys
p, n = sys.argv[1], int(sys.argv[2])
t = open(p).read()
t = t.replace("spec:\n  listeners:", f"spec:\n  limits: {{maxTcpConnections: {n + 100}, maxTcpConnectionsPerSource: {n + 100}}}\n  listeners:", 1)
open(p, "w").write(t)
PY
CONFIG=$RUN/tls.yaml start_sbc
mem() { # RSS KiB, then heap used KiB after a full GC
  local rss heap
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$SBC_PID/status")
  jcmd "$SBC_PID" GC.run >/dev/null 2>&1
  heap=$(jcmd "$SBC_PID" GC.heap_info 2>/dev/null | sed -n 's/.*total [0-9]*K, used \([0-9]*\)K.*/\1/p' | head -1)
  echo "$rss ${heap:-0}"
}
python3 - "$RUN/ca.crt" 20 1 <<'PY'  # warm-up: a few connections, so classes and pools exist
import asyncio, ssl, sys
async def main():
    ctx = ssl.create_default_context(cafile=sys.argv[1])
    for _ in range(int(sys.argv[2])):
        r, w = await asyncio.open_connection("127.0.0.1", 5061, ssl=ctx, server_hostname="sbc.bench")
        w.close()
asyncio.run(main())
PY
read -r RSS0 HEAP0 <<< "$(mem)"
python3 - "$RUN/ca.crt" "$N" "$HOLD" "$RUN/held" <<'PY' &
import asyncio, ssl, sys, uuid
ca, n, hold, flag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
async def one(ctx, i, conns):
    for attempt in range(5):
        try:
            r, w = await asyncio.open_connection("127.0.0.1", 5061, ssl=ctx, server_hostname="sbc.bench")
            break
        except OSError:
            await asyncio.sleep(0.5)
    else:
        return
    port = w.get_extra_info("sockname")[1]
    cid = uuid.uuid4().hex
    w.write((f"OPTIONS sip:127.0.0.1:5061;transport=tls SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:{port};branch=z9hG4bK{cid[:12]};rport\r\n"
             f"Max-Forwards: 70\r\nFrom: <sip:p{i}@127.0.0.1>;tag={cid[12:20]}\r\nTo: <sip:127.0.0.1:5061>\r\n"
             f"Call-ID: {cid}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode())
    await w.drain()
    await r.readuntil(b"\r\n\r\n")
    conns.append((r, w))
async def keepalive(conns):
    while True:
        await asyncio.sleep(20)
        for r, w in conns:
            if not w.is_closing():
                w.write(b"\r\n\r\n")
async def main():
    ctx = ssl.create_default_context(cafile=ca)
    conns = []
    sem = asyncio.Semaphore(200)
    async def limited(i):
        async with sem:
            await one(ctx, i, conns)
    await asyncio.gather(*(limited(i) for i in range(n)))
    print(f"clients: {len(conns)} of {n} connected and answered", flush=True)
    open(flag, "w").write(str(len(conns)))
    k = asyncio.create_task(keepalive(conns))
    await asyncio.sleep(hold)
    alive = 0
    for r, w in conns:
        w.write(b"\r\n\r\n")
    await asyncio.sleep(2)
    for r, w in conns:
        try:
            data = await asyncio.wait_for(r.read(64), 5)
            alive += data.startswith(b"\r\n")
        except Exception:
            pass
    print(f"clients: {alive} of {len(conns)} still open and answering pings after {hold} s", flush=True)
    k.cancel()
    for r, w in conns:
        w.close()
asyncio.run(main())
PY
CLIENT=$!
while [ ! -f "$RUN/held" ] && kill -0 "$CLIENT" 2>/dev/null; do sleep 1; done
sleep 5
read -r RSS1 HEAP1 <<< "$(mem)"
HELD=$(cat "$RUN/held" 2>/dev/null || echo 0)
wait "$CLIENT"
echo "sbc memory: rss ${RSS0} KiB -> ${RSS1} KiB, heap used after GC ${HEAP0} KiB -> ${HEAP1} KiB, ${HELD} connections"
python3 -c "
h=max(1,int('$HELD'))
print(f'per connection: rss {($RSS1-$RSS0)*1024/h/1024:.1f} KiB, heap {($HEAP1-$HEAP0)*1024/h/1024:.1f} KiB')"
