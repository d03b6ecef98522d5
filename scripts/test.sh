#!/usr/bin/env bash
# The whole suite (`npm test`): dependencies, configuration, PostgreSQL and Redis, type check,
# then jest (unit, integration and e2e suites; they create and drop their own databases).
# Arguments go to jest, e.g. `npm test -- libs/loans` or `npm test -- -t 'check-out'`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

step() { printf '\n==> %s\n' "$*"; }
die() {
  printf '\nERROR: %s\n' "$*" >&2
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

step "Checking Node.js and npm"
have node || die "Node.js is not installed. Install Node.js 20.19 or newer (https://nodejs.org/, or: nvm install 20)"
# The engines of the dependencies (TypeORM 1.x; NestJS 12 is ESM, loaded with require(esm)).
node -e 'const [a, b] = process.versions.node.split(".").map(Number);
  process.exit((a === 20 && b >= 19) || (a === 22 && b >= 13) || (a === 24 && b >= 11) || a > 24 ? 0 : 1)' ||
  die "Node.js $(node -v) is not supported: Metrobici needs Node.js 20.19+, 22.13+ or 24.11+ (https://nodejs.org/, or: nvm install 20)"
have npm || die "npm is not installed. It comes with Node.js: reinstall Node.js 20.19 or newer from https://nodejs.org/"
printf '  node %s, npm %s\n' "$(node -v)" "$(npm -v)"

step "Dependencies"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
else
  echo "  node_modules is up to date with package-lock.json"
fi

step "Configuration"
if [[ -f .env ]]; then
  echo "  using .env"
else
  cp .env.example .env
  echo "  created .env from .env.example"
fi

step "PostgreSQL and Redis"
bash scripts/services.sh

step "Chromium for the browser tests"
if [[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]]; then
  echo "  $("${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null || echo "${CHROMIUM_PATH:-/usr/bin/chromium}")"
elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
else
  echo "  WARNING: Chromium is missing and this is not root: the browser tests (test/web) will fail. Install it: sudo apt-get install -y chromium"
fi

step "Type check (tsc --noEmit)"
npx --no -- tsc --noEmit -p tsconfig.json || die "type check failed (see above)"
# The ESM view of the same code (what jest runs): type-only imports must say so.
npx --no -- tsc --noEmit -p tsconfig.jest.json || die "type check (ESM view) failed (see above)"
echo "  no type errors"

step "Tests (jest --runInBand${*:+ $*})"
code=0
# NestJS 12 is ESM only: jest must run in its native ESM mode on Node 20.
NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning" npx --no -- jest --runInBand "$@" || code=$?
if ((code == 0)); then
  printf '\nAll tests passed.\n'
else
  printf '\nTests failed (jest exit code %d).\n' "$code" >&2
fi
exit "$code"
