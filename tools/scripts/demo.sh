#!/usr/bin/env bash
# `npm run demo`: the main job against the built-in simulators. Installs what is missing, starts the
# local stack, runs the demo's composition root (tools/demo: the SP-API and SAP Business One
# simulators, or Sage 100's with DEMO_ERP=sage100, or Sage 500's with DEMO_ERP=sage500, the demo connection and mappings, and the five
# services) and reports what flowed,
# both ways. Ctrl-C stops it (the stack keeps running;
# `npm run stack:stop` stops it). DEMO_EXIT=1 stops after the report.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true

[ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error
mkdir -p tmp/demo
rm -f tmp/demo/return-path.txt
eval "$(bash deploy/local/stack.sh start | sed 's/^/export /')"

# The ERP simulator keeps its documents in memory, so each run starts from a clean slate: a fresh
# database and a fresh topic prefix (DEMO_KEEP_STATE=1 reuses the last run's, its ERP documents gone).
if [ "${DEMO_KEEP_STATE:-}" != 1 ]; then
  export DATABASE_URL="${DATABASE_URL%/*}/connector_demo" KAFKA_TOPIC_PREFIX="demo-$(date +%s)."
  psql "${DATABASE_URL%/*}/postgres" -qc 'drop database if exists connector_demo' -c 'create database connector_demo'
  echo "$KAFKA_TOPIC_PREFIX" >tmp/demo-prefix
else
  export DATABASE_URL="${DATABASE_URL%/*}/connector_demo" KAFKA_TOPIC_PREFIX="$(cat tmp/demo-prefix 2>/dev/null)"
fi
npm run -s migrate -- latest >/dev/null
# the demo's own key for the connection credentials it stores (a real deployment keeps its key in a secret store)
[ -s tmp/demo/credentials.key ] || node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64"))' >tmp/demo/credentials.key
export CREDENTIALS_KEY="$(cat tmp/demo/credentials.key)"
# the operator console's first administrator (created while no account exists: each fresh demo database)
[ -s tmp/demo/console-password ] || node -e 'process.stdout.write(require("crypto").randomBytes(12).toString("base64url"))' >tmp/demo/console-password
export CONSOLE_ADMIN_EMAIL="${CONSOLE_ADMIN_EMAIL:-admin@example.com}" CONSOLE_ADMIN_PASSWORD="$(cat tmp/demo/console-password)"
export NODE_ENV=development LOG_LEVEL="${LOG_LEVEL:-info}" DEMO_LOG_DIR=tmp/demo
export DEMO_CONNECTION_ID="${DEMO_CONNECTION_ID:-demo}" SIM_ORDERS_PER_DAY="${SIM_ORDERS_PER_DAY:-120}" REPORT_POLL_MS=1000
node -r ts-node/register/transpile-only -r tsconfig-paths/register tools/demo/src/main.ts >tmp/demo/demo.out 2>&1 &
demo_pid=$!
stop() { kill "$demo_pid" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

declare -A ports=([amazon-ingest]=3001 [sage-writer]=3002 [settlement-reconciler]=3003 [inventory-publisher]=3004 [erp-change-poller]=3005 [operator-console]=3006)
for svc in sage-writer settlement-reconciler amazon-ingest erp-change-poller inventory-publisher operator-console; do
  for _ in $(seq 1 240); do
    curl -fsS -o /dev/null "http://127.0.0.1:${ports[$svc]}/health/ready" 2>/dev/null && break
    kill -0 "$demo_pid" 2>/dev/null || break
    sleep 0.5
  done
  curl -fsS -o /dev/null "http://127.0.0.1:${ports[$svc]}/health/ready" || {
    echo "[demo] $svc did not become ready; the demo's output and the service's log:"
    tail -n 30 tmp/demo/demo.out "tmp/demo/$svc.log" 2>/dev/null
    exit 1
  }
  echo "[demo] $svc ready on :${ports[$svc]}"
done

count() { psql "$DATABASE_URL" -tAc "select count(*) from inbound_records where connection_id = '$DEMO_CONNECTION_ID'"; }
sql() { psql "$DATABASE_URL" -tAc "$1"; }
published() { sql "select count(*) from ingest_published where connection_id = '$DEMO_CONNECTION_ID' and stream = '$1'"; }
for _ in $(seq 1 240); do p=$(published orders); [ "$p" -gt 0 ] && [ "$(count)" -ge "$p" ] && break; sleep 0.5; done
echo "[demo] amazon-ingest read the simulated seller: $(published orders) orders, $(published financial-events) financial events and groups, $(sql "select count(*) from settlement_reports where connection_id = '$DEMO_CONNECTION_ID' and state = 'published'") settlements published"
echo "[demo] orders stored by sage-writer for connection '$DEMO_CONNECTION_ID': $(count)"
audited() { sql "select count(*) from audit_trail where connection_id = '$DEMO_CONNECTION_ID'"; }
last=-1 still=0 # wait until the ERP writes settle (the audit trail stops growing for 3 s)
for _ in $(seq 1 120); do
  now=$(audited); if [ "$now" = "$last" ]; then still=$((still + 1)); else still=0; fi
  last=$now; [ "$still" -ge 3 ] && break; sleep 1
done
rows() { curl -fsS "$1" | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).length))'; }
if [ "${DEMO_ERP:-sap-b1}" = sage100 ]; then
  s100() { rows "http://127.0.0.1:${SAGE100_SIM_PORT:-18103}/__inspect/tables/$1?company=ABC"; }
  echo "[demo] in the Sage 100 simulator (company ABC): $(s100 SO_SalesOrderHeader) sales orders, $(s100 SO_InvoiceHeader) invoices, $(s100 GL_GeneralJournalHeader) journal entries, $(s100 AR_CashReceiptsHeader) cash receipts"
elif [ "${DEMO_ERP:-sap-b1}" = sage500 ]; then
  s5() { psql "${DATABASE_URL%/*}/sage500_demo" -tAc "$1"; }
  echo "[demo] in the Sage 500 simulator (company SOA, database sage500_demo): $(s5 'select count(*) from "tsoSalesOrder"') sales orders, $(s5 'select count(*) from "tarInvoice"') invoices, $(s5 "select count(*) from \"tciDocumentExt_CNX\" where \"DocKind\" = 'JOURNAL'") journals posted, $(s5 'select count(*) from "tarCustPmt"') cash receipts"
else
  b1() { rows "http://127.0.0.1:${SAPB1_SIM_PORT:-18101}/__inspect/$1"; }
  echo "[demo] in the SAP Business One simulator (company SBODEMOUS): $(b1 Orders) sales orders, $(b1 Invoices) invoices, $(b1 JournalEntries) journal entries, $(b1 IncomingPayments) incoming payments"
fi
echo "[demo] reconciliations: $(sql "select coalesce(string_agg(status || ' ' || n, ', '), 'none yet') from (select status, count(*) n from reconciliation_results where connection_id = '$DEMO_CONNECTION_ID' group by 1) r")"
echo "[demo] audit trail rows: $(psql "$DATABASE_URL" -tAc "select count(*) from audit_trail where connection_id = '$DEMO_CONNECTION_ID'")"
curl -fsS http://127.0.0.1:3002/metrics | grep '^connector_events_consumed_total' || true
# the return path (tools/demo step 5): ERP price and stock changes onto the Amazon listing
for _ in $(seq 1 360); do [ -s tmp/demo/return-path.txt ] && break; kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.5; done
if [ -s tmp/demo/return-path.txt ]; then sed 's/^/[demo] ERP → Amazon: /' tmp/demo/return-path.txt
else echo "[demo] ERP → Amazon: not shown; see tmp/demo/demo.out and tmp/demo/erp-change-poller.log, inventory-publisher.log"; fi
echo "[demo] shipment confirmations and listing updates: $(curl -fsS http://127.0.0.1:3004/metrics | grep -E '^connector_(listing_updates|shipment_confirmations)_total' | tr '\n' ' ')"
echo "[demo] operator console: http://127.0.0.1:3006  sign in as $CONSOLE_ADMIN_EMAIL / $CONSOLE_ADMIN_PASSWORD (admin; add others with npm run console -- add-user)"
echo "[demo] logs in tmp/demo/; metrics on :3001-3006/metrics"
if [ "${DEMO_EXIT:-}" = 1 ]; then exit 0; fi
echo "[demo] running; Ctrl-C to stop"
wait
