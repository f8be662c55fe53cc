#!/usr/bin/env bash
# Makes sure a Redis answers at REDIS_URL (default redis://127.0.0.1:6379). When none does and
# the URL is local, starts Debian's redis-server (installing it when missing) without
# persistence; the gateway keeps nothing in Redis that Kafka cannot give back.
#   scripts/redis.sh ensure | stop
set -euo pipefail
url=${REDIS_URL:-redis://127.0.0.1:6379}
hostport=${url#*://}; hostport=${hostport#*@}; hostport=${hostport%%/*}
host=${hostport%:*}; port=${hostport##*:}
[ "$host" = "$hostport" ] && port=6379
cache=${SMSGW_CACHE_DIR:-$HOME/.cache/smsgw}
log() { echo "[redis] $*" >&2; }

pong() {
  local line
  exec 3<>"/dev/tcp/$host/$port" 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  read -r -t 2 line <&3 || { exec 3>&-; return 1; }
  exec 3>&-
  [[ "$line" == +PONG* || "$line" == -NOAUTH* ]]
}

case "${1:-ensure}" in
  ensure)
    if pong; then log "answers at $host:$port"; exit 0; fi
    case "$host" in 127.*|localhost|::1) ;; *) log "no Redis answers at $url and it is not local"; exit 1;; esac
    if ! command -v redis-server >/dev/null; then
      log "installing Debian's redis-server"
      if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
      else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; fi
    fi
    mkdir -p "$cache/redis"
    redis-server --daemonize yes --bind "$host" --port "$port" --save "" --appendonly no \
      --dir "$cache/redis" --logfile "$cache/redis/redis.log" --pidfile "$cache/redis/redis.pid"
    for _ in $(seq 1 50); do pong && { log "started at $host:$port"; exit 0; }; sleep 0.1; done
    log "redis-server did not answer at $host:$port; see $cache/redis/redis.log"; exit 1;;
  stop)
    if [ -f "$cache/redis/redis.pid" ]; then kill "$(cat "$cache/redis/redis.pid")" 2>/dev/null || true; rm -f "$cache/redis/redis.pid"; fi;;
  *) echo "usage: redis.sh ensure|stop" >&2; exit 2;;
esac
