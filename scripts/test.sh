#!/usr/bin/env bash
# Runs every test: installs the system packages the tests need; runs the Autobahn TestSuite
# against each adapter; then builds and verifies all modules (unit, conformance, hardening,
# integration and browser tests, with the formatting, Javadoc and dependency checks of `verify`);
# then builds a separate application against the installed hub-bom.
#
# Autobahn runs in its short form (the larger performance cases left out, under a minute per
# adapter, and once more for hub-jakarta's servlet upgrade); `bash scripts/test.sh
# -Dautobahn.full` runs the whole suite.
# Autobahn runs once per Maven process: its embedded Jython reactor cannot start twice in one JVM,
# so each adapter's suite gets its own `mvn` run (building what it needs, without unit tests,
# which the last run does for every module).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
for adapter in hub-jetty hub-netty hub-jakarta; do
  mvn -B -ntp verify -Pautobahn -pl "$adapter" -am -DskipUnitTests=true "$@"
done
# hub-jakarta's second way in: the servlet HTTP upgrade with its own framing (installUpgrade).
mvn -B -ntp verify -Pautobahn -pl hub-jakarta -am -DskipUnitTests=true \
  -Dhubcast.autobahn.upgrade=true "$@"
mvn -B -ntp install "$@"
# An application of its own imports hub-bom from the local repository just installed, depends on
# hub-core, hub-netty and hub-micrometer without versions, and finds the meters in a scrape.
version=$(grep -m1 -oP '(?<=<version>)[^<]+' pom.xml)
mvn -B -ntp -f hub-bom/src/it/consumer/pom.xml verify -Dhubcast.version="$version" "$@"
