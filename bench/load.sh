#!/usr/bin/env bash
# One SIPp load run through the packaged SBC (../shared/bench/sipp-load.sh):
# starts it with examples/quickstart.yaml (UDP 127.0.0.1:5060 -> 127.0.0.1:5090),
# waits until it answers OPTIONS, prints calls ok/failed and CPU per call, stops it.
#   RATE=2000 SECS=10 bench/load.sh        (TRANSPORT=un for a socket per call)
# Needs ports 5060, 5080, 5090 free; KEEP_LOG=1 keeps the SBC log.
set -u
. "$(dirname "$0")/lib.sh"
start_sbc
"$SHARED/bench/sipp-load.sh" "$SBC_PORT" "${RATE:-2000}" "${SECS:-10}" "$SBC_PID"
RC=$?
exit $RC
