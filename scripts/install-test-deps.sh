#!/usr/bin/env bash
# Installs the system packages the test suite needs, with apt-get, when they are missing:
#   redis-server            - the Redis backplane's tests start their own redis-server process
#   chromium, chromium-driver - the chat page's browser tests drive headless Chromium
# Safe to run again: it installs nothing that is already there.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)

if [ ${#need[@]} -eq 0 ]; then
  echo "test dependencies: all present (redis-server, chromium, chromedriver)"
  exit 0
fi

echo "test dependencies: installing ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "error: ${need[*]} missing, and neither root nor sudo is available to install them" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "test dependencies: installed ${need[*]}"
