#!/usr/bin/env bash
# `npm run setup`: a machine ready to develop on. Installs the npm packages, starts the local stack
# (Kafka and Apicurio Registry from Maven Central, PostgreSQL; deploy/local/stack.sh), applies the
# database migrations and prints the environment to export. `npm run demo` and `npm test` do all of
# this themselves; setup is for working on the code between them.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_NO_CLOUD=true
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json.src 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.package-lock.json.src
fi
env_lines="$(bash deploy/local/stack.sh start)"
eval "$(printf '%s\n' "$env_lines" | sed 's/^/export /')"
npm run -s migrate -- latest
echo
echo "Ready. For the services, the CLIs and the tests, export the stack's environment:"
printf '%s\n' "$env_lines" | sed 's/^/  export /'
echo "  export CREDENTIALS_KEY=\$(openssl rand -base64 32)   # amazon-ingest, sage-writer and the connection CLI need one"
