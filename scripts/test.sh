#!/usr/bin/env bash
# Runs every test: installs the system packages the tests need, then builds and verifies all
# modules (unit, conformance, integration and the Autobahn protocol suite), with the formatting,
# Javadoc and dependency checks that `verify` runs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
exec mvn -B -ntp verify -Pautobahn "$@"
