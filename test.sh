#!/usr/bin/env bash
# The one command that runs every test: builds all modules, runs the unit tests
# and then the system tests (SIPp calls through the packaged SBC).
# Needs sipp (Debian package sip-tester), kamailio, dnsmasq (dnsmasq-base, a name server
# for the DNS tests) and rtpengine (rtpengine-daemon); installs them when run as root,
# otherwise says what to install. Extra arguments go to Maven, e.g.
#   ./test.sh -Dtest='CancelTest' -Dsurefire.failIfNoSpecifiedTests=false
#   ./test.sh -Dsbc.target=kamailio   # system tests against Kamailio (reference)
set -uo pipefail
cd "$(dirname "$0")"

missing=()
command -v sipp >/dev/null 2>&1 || missing+=(sip-tester)
command -v kamailio >/dev/null 2>&1 || missing+=(kamailio)
command -v rtpengine >/dev/null 2>&1 || missing+=(rtpengine-daemon)
[ -x /usr/sbin/dnsmasq ] || missing+=(dnsmasq-base)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "test.sh: installing ${missing[*]}"
    apt-get update || exit 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y sip-tester kamailio dnsmasq-base rtpengine-daemon || exit 1
  else
    echo "test.sh: missing tools; install them first (as root):" >&2
    echo "  apt-get update && apt-get install -y sip-tester kamailio dnsmasq-base rtpengine-daemon" >&2
    exit 1
  fi
fi
for tool in java mvn; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test.sh: $tool is not on the PATH (JDK 17 and Maven are needed)" >&2; exit 1; }
done

mvn -B verify "$@"
exit $?
