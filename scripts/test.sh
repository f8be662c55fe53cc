#!/usr/bin/env bash
# The whole test suite: builds, makes sure Kafka and Redis answer (starting local ones as
# `npm start` does), then runs the spec files given (`npm run test:integration`) or every spec.
# Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json
if [ -z "${SMSGW_KAFKA_BROKERS:-}" ]; then
  SMSGW_KAFKA_BROKERS=$(bash scripts/kafka.sh start | tail -1)
  export SMSGW_KAFKA_BROKERS
fi
bash scripts/redis.sh ensure
bash scripts/promtool.sh ensure
# .mocharc.json names no spec files: mocha adds a configured spec to those on the command line,
# so `npm run test:unit` would run everything. Without spec files among the arguments (none, or
# options only such as --grep), every spec.
given=false
for a in "$@"; do case "$a" in *.js | dist/*) given=true ;; esac; done
$given || set -- "$@" 'dist/spec/**/*.spec.js'
exec npx mocha "$@"
