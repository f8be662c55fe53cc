#!/usr/bin/env bash
# Makes sure promtool (Prometheus's checker of the metrics text format) is on the PATH: the
# /metrics spec checks the gateway's output with it. Debian ships it in the prometheus package,
# installed here without starting a Prometheus server.
#   scripts/promtool.sh ensure
set -euo pipefail
log() { echo "[promtool] $*" >&2; }
command -v promtool >/dev/null && exit 0
log "installing Debian's prometheus package (for promtool)"
run() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
run apt-get update -qq
# Without systemd (as here) the package does not start its service.
run env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends prometheus >/dev/null
command -v promtool >/dev/null || { log "promtool still missing after the install"; exit 1; }
