#!/usr/bin/env bash
# Runs every test: installs the system packages the tests need; runs the Autobahn TestSuite
# against each adapter; then builds and verifies all modules (unit, conformance, hardening,
# integration and browser tests, with the formatting, Javadoc and dependency checks of `verify`).
#
# Autobahn runs once per Maven process: its embedded Jython reactor cannot start twice in one JVM,
# so each adapter's suite gets its own `mvn` run (building what it needs, without unit tests,
# which the last run does for every module).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
for adapter in hub-jetty hub-netty; do
  mvn -B -ntp verify -Pautobahn -pl "$adapter" -am -DskipUnitTests=true "$@"
done
mvn -B -ntp install "$@"
