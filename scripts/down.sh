#!/usr/bin/env bash
# Stops the API and the worker started by scripts/up.sh (`npm run up`), using .data/pids/.
# PostgreSQL and Redis keep running (scripts/services.sh prints how to stop those it started).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PID_DIR=.data/pids

# Prints the pids in process group PGID (up.sh starts each app as its own group).
group_pids() { ps -e -o pid= -o pgid= | awk -v g="$1" '$2 == g { print $1 }'; }

stop_app() {
  local name=$1 pidfile="$PID_DIR/$1.pid" pid pids i
  if [[ ! -f $pidfile ]]; then
    printf '%s: not running (no %s)\n' "$name" "$pidfile"
    return 0
  fi
  pid=$(cat "$pidfile")
  rm -f "$pidfile"
  pids=""
  [[ $pid =~ ^[0-9]+$ ]] && pids=$(group_pids "$pid")
  if [[ -z $pids ]] || ! ps -o command= -p "$(printf '%s' "$pids" | tr '\n' ',' | sed 's/,$//')" | grep -Eq 'node|npm'; then
    printf '%s: not running (stale pid file removed)\n' "$name"
    return 0
  fi
  kill -TERM -- "-$pid" 2>/dev/null || true
  for ((i = 0; i < 15; i++)); do
    if [[ -z $(group_pids "$pid") ]]; then
      printf '%s: stopped (process group %s)\n' "$name" "$pid"
      return 0
    fi
    sleep 1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  printf '%s: killed after 15 s (process group %s)\n' "$name" "$pid"
}

stop_app api
stop_app worker
