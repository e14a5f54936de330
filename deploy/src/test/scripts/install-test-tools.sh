#!/usr/bin/env bash
# Installs what the deploy module's tests need and Maven cannot bring: shellcheck (Debian package).
# Idempotent; a no-op when it is present. Not root or no apt-get: says what to install, and
# ScriptsTest fails with the same advice.
set -euo pipefail

if command -v shellcheck >/dev/null 2>&1; then
  echo "[install-test-tools] shellcheck present: $(command -v shellcheck)"
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[install-test-tools] installing Debian package shellcheck"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends shellcheck \
    || { DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends shellcheck; }
else
  echo "[install-test-tools] shellcheck not found: install it (sudo apt-get install -y shellcheck, or brew install shellcheck)" >&2
fi
