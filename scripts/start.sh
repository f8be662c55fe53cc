#!/usr/bin/env bash
# `npm start`: a working gateway on the demo setup. Installs and builds when needed, starts a
# local Kafka and Redis unless SMSGW_KAFKA_BROKERS / REDIS_URL point elsewhere, starts the
# provider simulator the demo route uses (unless SMSGW_SIMULATOR=off), then the gateway node.
set -euo pipefail
cd "$(dirname "$0")/.."
config=${SMSGW_CONFIG:-config/demo.yaml}
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx tsc -p tsconfig.json
if [ -z "${SMSGW_KAFKA_BROKERS:-}" ]; then
  SMSGW_KAFKA_BROKERS=$(bash scripts/kafka.sh start | tail -1)
  export SMSGW_KAFKA_BROKERS
fi
bash scripts/redis.sh ensure

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
if [ "${SMSGW_SIMULATOR:-on}" != off ]; then
  node dist/scripts/provider-simulator.js --host 127.0.0.1 --port "${SMSGW_SIMULATOR_PORT:-2776}" \
    --system-id gateway --password gwpass --receipt-delay-ms "${SMSGW_SIMULATOR_RECEIPT_DELAY_MS:-200}" &
  pids+=($!)
fi
node dist/src/main.js --config "$config" &
gw=$!
pids+=($gw)
trap 'kill -TERM $gw 2>/dev/null' TERM INT
wait $gw || true
# A second wait: the first returns early when a trapped signal arrives.
wait $gw 2>/dev/null || true
