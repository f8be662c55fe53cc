#!/usr/bin/env bash
# The whole test suite: builds, makes sure Kafka and Redis answer (starting local ones as
# `npm start` does), then runs every spec. Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json
if [ -z "${SMSGW_KAFKA_BROKERS:-}" ]; then
  SMSGW_KAFKA_BROKERS=$(bash scripts/kafka.sh start | tail -1)
  export SMSGW_KAFKA_BROKERS
fi
bash scripts/redis.sh ensure
exec npx mocha "$@"
