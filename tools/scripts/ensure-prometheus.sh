#!/usr/bin/env bash
# Makes sure `promtool` (Debian's `prometheus` package) is on PATH, for the alert-rule checks
# (deploy/prometheus/*.test.yml) and the metrics-vs-rules test. Installs it on a fresh CI machine.
set -euo pipefail
if command -v promtool >/dev/null 2>&1; then exit 0; fi
sudo_cmd=""
if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq --no-install-recommends prometheus >/dev/null
# the package starts a server on :9090 where systemd runs; the tests need only promtool
command -v promtool >/dev/null
