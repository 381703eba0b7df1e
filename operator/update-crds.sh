#!/bin/sh
# Regenerates the CRDs from the Java types (sbc-api specs and statuses, operator CR classes) and
# copies them into crds/ at the top of the repository. Review the diff and commit it.
set -e
cd "$(dirname "$0")/.."
mvn -B -q -pl operator -am -Pupdate-crds -Dtest=CrdDriftTest -Dsurefire.failIfNoSpecifiedTests=false verify "$@"
git --no-pager diff --stat -- crds/ 2>/dev/null || true
