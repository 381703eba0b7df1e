#!/usr/bin/env bash
# The one command that runs every test: builds all modules, runs the unit tests
# and then the system tests (SIPp calls through the packaged SBC).
# Needs the Debian packages listed below; installs them when run as root, otherwise says what
# to install. Extra arguments go to Maven, e.g.
#   ./test.sh -Dtest='CancelTest' -Dsurefire.failIfNoSpecifiedTests=false
#   ./test.sh -Dsbc.target=kamailio   # system tests against Kamailio (reference)
set -uo pipefail
cd "$(dirname "$0")"

# Every tool a test uses, as Debian packages: SIPp, Kamailio (with its TLS module, a TLS peer
# and yardstick), dnsmasq, RTPengine, baresip (a real softphone), Chromium (a WebSocket client in
# a browser) and openssl (s_client checks of the TLS listeners).
packages=(sip-tester kamailio kamailio-tls-modules dnsmasq-base rtpengine-daemon baresip chromium openssl)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "test.sh: installing ${missing[*]}"
    apt-get update || exit 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${packages[@]}" || exit 1
  else
    echo "test.sh: missing tools; install them first (as root):" >&2
    echo "  apt-get update && apt-get install -y ${packages[*]}" >&2
    exit 1
  fi
fi
# Node packages of the WebSocket tests (JsSIP), through the project's own package.json.
if [ -f system-tests/js/package.json ]; then
  (cd system-tests/js && { [ -f package-lock.json ] && npm ci --no-audit --no-fund || npm install --no-audit --no-fund; }) || exit 1
fi
# The registrar and accounting tests use the PostgreSQL on 127.0.0.1:5432 (trust auth); start
# it when it is installed but stopped.
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if [ "$(id -u)" -eq 0 ] && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
fi
for tool in java mvn; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test.sh: $tool is not on the PATH (JDK 17 and Maven are needed)" >&2; exit 1; }
done

mvn -B verify "$@"
exit $?
