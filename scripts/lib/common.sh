# Shared by scripts/up.sh and scripts/test.sh (sourced, not run): output helpers and the first
# steps both need — a supported Node.js and npm, a .env, installed dependencies.

step() { printf '\n==> %s\n' "$*"; }
die() {
  printf '\nERROR: %s\n' "$*" >&2
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

# $1: what to run again once fixed (shown in the error), e.g. "npm run up".
check_node_and_npm() {
  local again=${1:+, then run: $1}
  step "Checking Node.js and npm"
  have node || die "Node.js is not installed. Install Node.js 20.19 or newer (https://nodejs.org/, or: nvm install 20)$again"
  # The engines of the dependencies (TypeORM 1.x; NestJS 12 is ESM, loaded with require(esm)).
  node -e 'const [a, b] = process.versions.node.split(".").map(Number);
    process.exit((a === 20 && b >= 19) || (a === 22 && b >= 13) || (a === 24 && b >= 11) || a > 24 ? 0 : 1)' ||
    die "Node.js $(node -v) is not supported: Metrobici needs Node.js 20.19+, 22.13+ or 24.11+ (https://nodejs.org/, or: nvm install 20)"
  have npm || die "npm is not installed. It comes with Node.js: reinstall Node.js 20.19 or newer from https://nodejs.org/"
  printf '  node %s, npm %s\n' "$(node -v)" "$(npm -v)"
}

ensure_env_file() {
  step "Configuration"
  if [[ -f .env ]]; then
    echo "  using .env"
  else
    cp .env.example .env
    echo "  created .env from .env.example (development values; edit it to change ports, secrets, hours)"
  fi
}

ensure_dependencies() {
  step "Dependencies"
  if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
    npm ci --no-audit --no-fund
  else
    echo "  node_modules is up to date with package-lock.json"
  fi
}
