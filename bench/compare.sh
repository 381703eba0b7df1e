#!/usr/bin/env bash
# The SBC against Kamailio, in one run (../shared/bench/compare-kamailio.sh):
# starts the packaged SBC with examples/quickstart.yaml (UDP 127.0.0.1:5060 ->
# sip:127.0.0.1:5090), waits until it answers OPTIONS, runs the same SIPp load
# through it and through Kamailio alternately, prints the result, stops the SBC.
#   RATE=2000 SECS=10 ROUNDS=3 bench/compare.sh
# With topology hiding against Kamailio with topoh:
#   CONFIG=bench/hiding.yaml KAMAILIO_CFG=kamailio-topoh.cfg KAMAILIO_PORT=5078 bench/compare.sh
# Needs ports 5060, 5070, 5080, 5090 free; KEEP_LOG=1 keeps the SBC log.
set -u
. "$(dirname "$0")/lib.sh"
start_sbc
"$SHARED/bench/compare-kamailio.sh" "$SBC_PORT" "$SBC_PID" "${RATE:-2000}" "${SECS:-10}" "${ROUNDS:-3}"
RC=$?
exit $RC
