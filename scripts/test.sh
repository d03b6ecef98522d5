#!/usr/bin/env bash
# The whole suite (`npm test`): dependencies, configuration, PostgreSQL and Redis, type check,
# then jest (unit, integration and e2e suites; they create and drop their own databases).
# Arguments go to jest, e.g. `npm test -- libs/loans` or `npm test -- -t 'check-out'`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=lib/common.sh
source scripts/lib/common.sh

check_node_and_npm "npm test"
ensure_dependencies
ensure_env_file

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

# The house rules a reviewer should not have to check by eye (STYLE.md, Tooling). Each names the
# command that fixes or explains it; the OpenAPI drift check runs inside jest (test/openapi.e2e-spec.ts).
step "Format (prettier --check)"
npx --no -- prettier --check --log-level warn . ||
  die "files above are not formatted: run \`npx prettier --write <file>\` on them (or \`npm run format\`), then commit"
echo "  all files formatted"

step "Lint (eslint, type-aware, zero warnings)"
npx --no -- eslint . --max-warnings 0 || die "lint failed (see above): fix the code, or \`npx eslint --fix <file>\` for the fixable rules"
echo "  no lint errors or warnings"

step "Import rules (dependency-cruiser: no cycles, libs only through @metrobici/<lib>)"
node scripts/check-cycles.mjs || die "import rules broken (see above; rules and reasons in .dependency-cruiser.cjs)"

step "Tests (jest --runInBand${*:+ $*})"
code=0
# NestJS 12 is ESM only: jest must run in its native ESM mode on Node 20.
NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning" npx --no -- jest --runInBand "$@" || code=$?

# The fault suite (test/faults): a private PostgreSQL and Redis on their own ports, crashed and
# restarted under the real API and worker. Part of the whole run; skipped when arguments select suites.
if (($# == 0)); then
  step "Fault suite (npm run test:faults)"
  npm run --silent test:faults || { fcode=$?; ((code != 0)) || code=$fcode; }
fi
if ((code == 0)); then
  printf '\nAll tests passed.\n'
else
  printf '\nTests failed (jest exit code %d).\n' "$code" >&2
fi
exit "$code"
