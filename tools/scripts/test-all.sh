#!/usr/bin/env bash
# The README's test command (`npm test`): on a fresh machine it installs the npm packages, checks the
# generated event types, type-checks and lints, starts Kafka + Apicurio Registry + PostgreSQL (through
# the integration global setup: env, then containers, then deploy/local/stack.sh), runs every
# project's unit and integration tests through Nx, and prints one summary line.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE="${CI:+true}" NX_TUI=false
started=$SECONDS
step() { printf '\n== %s (%ss)\n' "$*" "$((SECONDS - started))"; }

step "npm packages"
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json.src 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.package-lock.json.src
fi

step "generated event types match schemas/"
npm run -s codegen -- --check

step "typecheck, lint and format"
npx tsc -p tsconfig.json --noEmit
npm run -s lint
npm run -s format:check

results="$(pwd)/tmp/test-results"
rm -rf "$results" && mkdir -p "$results"
export JEST_RESULTS_DIR="$results"

step "unit tests (nx run-many -t test)"
unit_rc=0
npx nx run-many -t test --parallel=2 --outputStyle=static || unit_rc=$?

step "local stack"
if [ -z "${KAFKA_BROKERS:-}" ] && ! docker info >/dev/null 2>&1; then
  # start it once here so that parallel jest runs find it up; the integration setup reuses it
  bash deploy/local/stack.sh start >/dev/null
  export TEST_INFRA=local
fi

step "chromium for the browser tests (Debian's package; puppeteer-core downloads none)"
bash tools/scripts/ensure-chromium.sh >/dev/null

step "integration tests (nx run-many -t int-test)"
int_rc=0
npx nx run-many -t int-test --parallel=1 --outputStyle=static || int_rc=$?

# the broker killed mid-run: the fault the rest of the suite does not cover; `npm run faults -- --reduced`
# adds kill -9 of sage-writer and the ERP answering 503 (about 5 minutes), `npm run faults` all nine
step "fault suite, reduced (npm run faults -- --reduced --only kafka-kill9: its own Kafka and registry)"
faults_rc=0
npm run -s build && npm run -s faults -- --reduced --only kafka-kill9 || faults_rc=$?

step "schema compatibility against the registry"
compat_rc=0
npm run -s schemas:compat || compat_rc=$?

if [ "${CI:-}" = "true" ] && [ "${KEEP_STACK:-}" != "true" ]; then
  bash deploy/local/stack.sh stop || true
fi

step "summary"
node tools/scripts/summarize-jest.js "$results"
[ "$unit_rc" = 0 ] && [ "$int_rc" = 0 ] && [ "$compat_rc" = 0 ] && [ "$faults_rc" = 0 ]
