#!/usr/bin/env bash
# `npm run demo`: the main job against the built-in simulators. Installs what is missing, starts the
# local stack, builds, runs the five services, and reports what flowed. Ctrl-C stops the services
# (the stack keeps running; `npm run stack:stop` stops it). DEMO_EXIT=1 stops after the report.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true

[ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error
eval "$(bash deploy/local/stack.sh start | sed 's/^/export /')"
echo "[demo] building"
rm -rf dist && npx tsc -p tsconfig.build.json

export NODE_ENV=development SIMULATORS=true LOG_LEVEL="${LOG_LEVEL:-info}" TS_NODE_BASEURL=dist
# amazon-ingest starts the SP-API simulator in-process and registers its seller as connection "demo"
export DEMO_CONNECTION_ID="${DEMO_CONNECTION_ID:-demo}" SIM_ORDERS_PER_DAY="${SIM_ORDERS_PER_DAY:-120}" REPORT_POLL_MS=1000
mkdir -p tmp/demo
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

declare -A ports=([amazon-ingest]=3001 [sage-writer]=3002 [settlement-reconciler]=3003 [inventory-publisher]=3004 [erp-change-poller]=3005)
declare -A pid_of=()
for svc in sage-writer settlement-reconciler inventory-publisher erp-change-poller amazon-ingest; do
  HTTP_PORT="${ports[$svc]}" node -r tsconfig-paths/register "dist/services/$svc/src/main.js" >"tmp/demo/$svc.log" 2>&1 &
  pids+=($!)
  pid_of[$svc]=$!
done

for svc in "${!ports[@]}"; do
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "http://127.0.0.1:${ports[$svc]}/health/ready" 2>/dev/null && break
    kill -0 "${pid_of[$svc]}" 2>/dev/null || break
    sleep 0.5
  done
  curl -fsS -o /dev/null "http://127.0.0.1:${ports[$svc]}/health/ready" ||
    { echo "[demo] $svc did not become ready; its log:"; tail -n 30 "tmp/demo/$svc.log"; exit 1; }
  echo "[demo] $svc ready on :${ports[$svc]}"
done

count() { psql "$DATABASE_URL" -tAc "select count(*) from inbound_records where connection_id = '$DEMO_CONNECTION_ID'"; }
sql() { psql "$DATABASE_URL" -tAc "$1"; }
published() { sql "select count(*) from ingest_published where connection_id = '$DEMO_CONNECTION_ID' and stream = '$1'"; }
for _ in $(seq 1 240); do p=$(published orders); [ "$p" -gt 0 ] && [ "$(count)" -ge "$p" ] && break; sleep 0.5; done
echo "[demo] amazon-ingest read the simulated seller: $(published orders) orders, $(published financial-events) financial events and groups, $(sql "select count(*) from settlement_reports where connection_id = '$DEMO_CONNECTION_ID' and state = 'published'") settlements published"
echo "[demo] orders stored by sage-writer for connection '$DEMO_CONNECTION_ID': $(count)"
echo "[demo] audit trail rows: $(psql "$DATABASE_URL" -tAc "select count(*) from audit_trail where connection_id = '$DEMO_CONNECTION_ID'")"
curl -fsS http://127.0.0.1:3002/metrics | grep '^connector_events_consumed_total' || true
echo "[demo] logs in tmp/demo/; metrics on :3001-3005/metrics"
if [ "${DEMO_EXIT:-}" = 1 ]; then exit 0; fi
echo "[demo] running; Ctrl-C to stop"
wait
