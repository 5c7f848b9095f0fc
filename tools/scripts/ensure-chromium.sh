#!/usr/bin/env bash
# Debian's chromium for the browser tests (puppeteer-core drives it; puppeteer's own browser download
# is not used). Installs it when missing; prints its path. Root runs apt-get directly, others via sudo.
set -euo pipefail
for b in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
  if [ -n "$b" ] && [ -x "$b" ]; then echo "$b"; exit 0; fi
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
# another job may hold the apt lock: wait for it rather than fail
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
$sudo apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium >&2
echo /usr/bin/chromium
