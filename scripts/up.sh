#!/usr/bin/env bash
# Quick start (`npm run up`): dependencies, PostgreSQL and Redis, build, migrations, demo data,
# then the API and the worker in the background. Safe to run again: it restarts what it started.
# `npm run down` stops the API and the worker.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LOG_DIR=.data/logs
PID_DIR=.data/pids

# shellcheck source=lib/common.sh
source scripts/lib/common.sh

# Prints the value of KEY in .env (the last assignment wins), without quotes; nothing if absent.
dotenv_get() {
  local key=$1 file="$ROOT/.env" line value=""
  local assign_re="^[[:space:]]*(export[[:space:]]+)?${key}[[:space:]]*=[[:space:]]*(.*)$"
  local dq_re='^"(.*)"[[:space:]]*(#.*)?$' sq_re="^'(.*)'[[:space:]]*(#.*)?$"
  [[ -f $file ]] || return 0
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    [[ $line =~ $assign_re ]] || continue
    value=${BASH_REMATCH[2]}
    if [[ $value =~ $dq_re || $value =~ $sq_re ]]; then
      value=${BASH_REMATCH[1]}
    else
      value=${value%%#*}
      value=${value%"${value##*[![:space:]]}"}
    fi
  done <"$file"
  printf '%s' "$value"
}

# The environment wins over .env, as in the apps (process.loadEnvFile).
setting() {
  local name=$1 default=$2 value
  value=${!name:-}
  [[ -n $value ]] || value=$(dotenv_get "$name")
  printf '%s' "${value:-$default}"
}

# Prints the pids in process group PGID (our background jobs lead their own group).
group_pids() { ps -e -o pid= -o pgid= | awk -v g="$1" '$2 == g { print $1 }'; }

# Stops the process group recorded in .data/pids/NAME.pid, if it still runs npm/node.
stop_app() {
  local name=$1 pidfile="$PID_DIR/$1.pid" pid pids i
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  rm -f "$pidfile"
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  pids=$(group_pids "$pid")
  if [[ -z $pids ]] || ! ps -o command= -p "$(printf '%s' "$pids" | tr '\n' ',' | sed 's/,$//')" | grep -Eq 'node|npm'; then
    return 0 # gone, or the pid now belongs to something else
  fi
  printf '  stopping %s (process group %s)\n' "$name" "$pid"
  kill -TERM -- "-$pid" 2>/dev/null || true
  for ((i = 0; i < 15; i++)); do
    [[ -z $(group_pids "$pid") ]] && return 0
    sleep 1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
}

# Starts `npm run SCRIPT` in its own process group, logging to .data/logs/NAME.log.
start_app() {
  local name=$1 script=$2 log="$LOG_DIR/$1.log"
  [[ -f $log ]] && mv -f "$log" "$log.1"
  set -m # own process group, so `down` can stop npm and node together
  nohup npm run --silent "$script" >"$log" 2>&1 </dev/null &
  echo "$!" >"$PID_DIR/$name.pid"
  set +m
  printf '  %s: pid %s, log %s\n' "$name" "$!" "$log"
}

app_running() { [[ -f $PID_DIR/$1.pid && -n $(group_pids "$(cat "$PID_DIR/$1.pid")") ]]; }

http_status() {
  if have curl; then
    curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" || true
  else
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) }).then((r) => console.log(r.status), () => console.log(0))' "$1"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

show_log() {
  printf '\nLast 40 lines of %s:\n' "$1" >&2
  tail -n 40 "$1" >&2 || true
}

# Start-up failed: show the log, stop both apps so nothing half-started stays behind, exit 1.
start_failed() {
  show_log "$1"
  printf '\n' >&2
  stop_app api >&2
  stop_app worker >&2
  die "$2"
}

# ---------------------------------------------------------------------------------------------

check_node_and_npm "npm run up"
ensure_env_file
ensure_dependencies

step "PostgreSQL and Redis"
bash scripts/services.sh

step "Build"
npm run --silent build

step "Database migrations"
npm run --silent db:migrate

step "Demo data"
npm run --silent db:seed

# Synthetic trips of the last 30 days (marked synthetic), so the planners' dashboard and the
# data package have something to show; re-running replaces the same days.
step "Demo trips (synthetic, last 30 days)"
npm run --silent demo:trips -- --days 30

step "Starting the API and the worker"
PORT=$(setting PORT 3000)
mkdir -p "$LOG_DIR" "$PID_DIR"
stop_app api
stop_app worker
if port_in_use "$PORT"; then
  die "port $PORT is already in use by another program (not one started by npm run up). Stop it, or set PORT in .env."
fi
start_app api start:api
start_app worker start:worker

health="http://127.0.0.1:$PORT/health"
printf '  waiting for %s ' "$health"
deadline=$((SECONDS + 60))
status=0
while :; do
  status=$(http_status "$health")
  [[ $status == 200 ]] && break
  if ! app_running api; then
    echo
    start_failed "$LOG_DIR/api.log" "the API stopped during start-up (see $LOG_DIR/api.log)"
  fi
  if ((SECONDS >= deadline)); then
    echo
    start_failed "$LOG_DIR/api.log" "the API did not answer 200 at $health within 60 s (last status: $status)"
  fi
  printf '.'
  sleep 1
done
echo " ok"
if ! app_running worker; then
  start_failed "$LOG_DIR/worker.log" "the worker stopped during start-up (see $LOG_DIR/worker.log)"
fi

password=$(setting SEED_STAFF_PASSWORD metrobici-demo)
cat <<EOF

Metrobici is running.
  Web app    http://localhost:$PORT/
  API        http://localhost:$PORT/api/v1
  OpenAPI    http://localhost:$PORT/api/docs
  GBFS       http://localhost:$PORT/gbfs/gbfs.json (3.0), http://localhost:$PORT/gbfs/v2.3/gbfs.json (2.3)
  MDS        http://localhost:$PORT/mds/vehicles (agency token)

Demo staff logins (password: $password)
  admin@metrobici.local      administrator
  planner@metrobici.local    planner
  operator@metrobici.local   station operator (every station)
  agencia@metrobici.local    agency (MDS only)

Logs: $LOG_DIR/api.log, $LOG_DIR/worker.log
Stop: npm run down   (PostgreSQL and Redis keep running)
EOF
