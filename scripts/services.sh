#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer at DATABASE_URL and REDIS_URL (environment first, then
# .env, then the development defaults), starting them when nothing answers:
#   1. a server already listening is used as it is;
#   2. local binaries: a stopped Debian cluster on that port (as root), else a private cluster in
#      .data/postgres (and .data/redis for Redis);
#   3. as root with apt-get: install the Debian packages, then 2;
#   4. Docker: docker/compose.yaml;
#   5. otherwise: say what is missing and how to fix it, exit 1.
# Then it creates the database named in DATABASE_URL if missing and makes sure Redis evicts
# nothing (BullMQ needs maxmemory-policy noeviction). Safe to run again at any time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DATA_DIR="$ROOT/.data"
COMPOSE_FILE="$ROOT/docker/compose.yaml"

DEFAULT_DATABASE_URL="postgres://postgres@127.0.0.1:5432/metrobici"
DEFAULT_REDIS_URL="redis://127.0.0.1:6379/0"

say() { printf '%s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
  printf '\nERROR: %s\n' "$*" >&2
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [[ $(id -u) -eq 0 ]]; }

# ---------------------------------------------------------------------------------------------
# Configuration

# Prints the value of KEY in .env (the last assignment wins), without quotes; nothing if absent.
# Follows what Node's process.loadEnvFile accepts: KEY=value, optional `export`, quotes, # comments.
dotenv_get() {
  local key=$1 file="$ROOT/.env" line value="" found=""
  local assign_re="^[[:space:]]*(export[[:space:]]+)?${key}[[:space:]]*=[[:space:]]*(.*)$"
  local dq_re='^"(.*)"[[:space:]]*(#.*)?$' sq_re="^'(.*)'[[:space:]]*(#.*)?$"
  [[ -f $file ]] || return 0
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    [[ $line =~ $assign_re ]] || continue
    value=${BASH_REMATCH[2]}
    found=1
    if [[ $value =~ $dq_re || $value =~ $sq_re ]]; then
      value=${BASH_REMATCH[1]}
    else
      value=${value%%#*}
      value=${value%"${value##*[![:space:]]}"}
    fi
  done <"$file"
  [[ -n $found ]] && printf '%s' "$value"
  return 0
}

# Prints the environment variable NAME if set and not empty, else its .env value, else DEFAULT.
setting() {
  local name=$1 default=$2 value
  value=${!name:-}
  [[ -n $value ]] || value=$(dotenv_get "$name")
  printf '%s' "${value:-$default}"
}

urldecode() {
  local s=${1//%/\\x}
  printf '%b' "$s"
}

# Splits URL into U_SCHEME U_USER U_PASS U_HOST U_PORT U_PATH U_QUERY.
parse_url() {
  local url=$1 rest auth
  [[ $url == *://* ]] || return 1
  U_SCHEME=${url%%://*}
  rest=${url#*://}
  U_QUERY="" U_PATH="" U_USER="" U_PASS="" U_PORT=""
  if [[ $rest == *\?* ]]; then
    U_QUERY=${rest#*\?}
    rest=${rest%%\?*}
  fi
  if [[ $rest == */* ]]; then
    U_PATH=$(urldecode "${rest#*/}")
    rest=${rest%%/*}
  fi
  if [[ $rest == *@* ]]; then
    auth=${rest%@*}
    rest=${rest##*@}
    if [[ $auth == *:* ]]; then
      U_USER=$(urldecode "${auth%%:*}")
      U_PASS=$(urldecode "${auth#*:}")
    else
      U_USER=$(urldecode "$auth")
    fi
  fi
  if [[ $rest == \[* ]]; then # [ipv6]:port
    U_HOST=${rest%%\]*}
    U_HOST=${U_HOST#\[}
    rest=${rest#*\]}
    U_PORT=${rest#:}
  elif [[ $rest == *:* ]]; then
    U_HOST=${rest%%:*}
    U_PORT=${rest##*:}
  else
    U_HOST=$rest
  fi
}

query_param() { # query_param QUERY NAME
  local pair
  local IFS='&'
  for pair in $1; do
    [[ ${pair%%=*} == "$2" ]] && printf '%s' "$(urldecode "${pair#*=}")" && return 0
  done
  return 0
}

is_local_host() {
  case $1 in
  127.* | localhost | ::1 | 0.0.0.0 | "") return 0 ;;
  *) return 1 ;;
  esac
}

# True when something accepts TCP connections at HOST PORT.
tcp_open() {
  if have timeout; then
    # shellcheck disable=SC2016 # expanded by the inner bash
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
  else
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
  fi
}

wait_until() { # wait_until SECONDS COMMAND...
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

APT_UPDATED=""
apt_install() {
  if [[ -z $APT_UPDATED ]]; then
    say "  apt-get update"
    apt-get update -q >/dev/null || die "apt-get update failed"
    APT_UPDATED=1
  fi
  say "  apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" </dev/null >/dev/null ||
    die "apt-get install $* failed"
}

can_apt() { is_root && have apt-get; }

DOCKER_OK=""
docker_ok() {
  if [[ -z $DOCKER_OK ]]; then
    if have docker && docker info >/dev/null 2>&1; then DOCKER_OK=yes; else DOCKER_OK=no; fi
  fi
  [[ $DOCKER_OK == yes ]]
}

# Why a service cannot be started here, one "  - ..." line each: what is missing ($1), why it
# cannot be installed (pronoun $2: it/them), and what is wrong with Docker.
cannot_start_reasons() {
  local why="  - $1"
  if ! have apt-get; then
    why+=$'\n'"  - cannot install $2: apt-get is not available"
  elif ! is_root; then
    why+=$'\n'"  - cannot install $2: not running as root"
  fi
  if have docker; then
    why+=$'\n'"  - Docker is installed but not usable ('docker info' failed: is the daemon running, may this user use it?)"
  else
    why+=$'\n'"  - Docker is not installed"
  fi
  printf '%s' "$why"
}

compose() {
  # Only postgres and redis are started from here, but compose checks the whole file, whose app
  # services require these secrets: placeholders that never reach an application container.
  local placeholders=(JWT_SECRET="${JWT_SECRET:-unused}" RIDER_KEY_SECRET="${RIDER_KEY_SECRET:-unused}"
    SEED_STAFF_PASSWORD="${SEED_STAFF_PASSWORD:-unused}")
  if docker compose version >/dev/null 2>&1; then
    env "${placeholders[@]}" docker compose -f "$COMPOSE_FILE" "$@"
  elif have docker-compose; then
    env "${placeholders[@]}" docker-compose -f "$COMPOSE_FILE" "$@"
  else
    die "Docker is running but neither 'docker compose' nor 'docker-compose' is installed"
  fi
}

# Runs a command as the `postgres` OS user when we are root (PostgreSQL refuses to run as root).
as_pg() {
  if ! is_root; then
    "$@"
  elif have runuser; then
    runuser -u postgres -- "$@"
  else
    su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
  fi
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

DATABASE_URL=$(setting DATABASE_URL "$DEFAULT_DATABASE_URL")
parse_url "$DATABASE_URL" || die "DATABASE_URL is not a URL: $DATABASE_URL"
case $U_SCHEME in postgres | postgresql) ;; *) die "DATABASE_URL must start with postgres://, got: $DATABASE_URL" ;; esac
PG_HOST=${U_HOST:-127.0.0.1}
PG_PORT=${U_PORT:-5432}
PG_USER=${U_USER:-postgres}
PG_PASS=$U_PASS
PG_DB=${U_PATH:-$PG_USER}
PG_SSLMODE=$(query_param "$U_QUERY" sslmode)
PG_HOW="already running"
PG_INSTALLED_NOW=""
PG_DEBIAN_CLUSTER=""

pg_listening() {
  if have pg_isready; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3 >/dev/null 2>&1
  else
    tcp_open "$PG_HOST" "$PG_PORT"
  fi
}

# Runs psql against DATABASE (default: the maintenance database) with the URL's credentials.
pg_psql() {
  local db=$1
  shift
  local -a envs=(PGHOST="$PG_HOST" PGPORT="$PG_PORT" PGUSER="$PG_USER" PGDATABASE="$db" PGCONNECT_TIMEOUT=5)
  [[ -n $PG_PASS ]] && envs+=(PGPASSWORD="$PG_PASS")
  [[ -n $PG_SSLMODE ]] && envs+=(PGSSLMODE="$PG_SSLMODE")
  env "${envs[@]}" psql -X -q -w -v ON_ERROR_STOP=1 -tA "$@"
}

# Prints the newest directory holding initdb and pg_ctl (the version of an existing private
# cluster first); fails when there is none.
pg_bindir() {
  local dir version
  if [[ -f $PG_DATA/PG_VERSION ]]; then
    version=$(cat "$PG_DATA/PG_VERSION")
    dir=/usr/lib/postgresql/$version/bin
    [[ -x $dir/initdb && -x $dir/pg_ctl ]] && printf '%s' "$dir" && return 0
  fi
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    [[ -x $dir/initdb && -x $dir/pg_ctl ]] && printf '%s' "$dir" && return 0
  done
  if have initdb && have pg_ctl; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  return 1
}

# Prints "version name status" of a Debian cluster configured for PG_PORT, if any.
debian_cluster_on_port() {
  have pg_lsclusters || return 1
  pg_lsclusters -h 2>/dev/null | awk -v port="$PG_PORT" '$3 == port { print $1, $2, $4; found = 1; exit } END { exit !found }'
}

# A cluster just installed by apt-get only accepts passwords on TCP: let the URL's user in.
debian_open_access() {
  local version=$1 name=$2 hba out
  hba=/etc/postgresql/$version/$name/pg_hba.conf
  [[ -f $hba ]] || return 0
  out=$(pg_psql postgres -c 'SELECT 1' 2>&1) && return 0
  if ! grep -qx "host all $PG_USER 127.0.0.1/32 trust" "$hba"; then
    say "  allowing $PG_USER on 127.0.0.1 and ::1 without password in $hba (fresh local install)"
    {
      printf '# added by metrobici scripts/services.sh: local development access\n'
      printf 'host all %s 127.0.0.1/32 trust\nhost all %s ::1/128 trust\n' "$PG_USER" "$PG_USER"
      cat "$hba"
    } >"$hba.new"
    chown --reference="$hba" "$hba.new" && chmod --reference="$hba" "$hba.new"
    mv "$hba.new" "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$version" "$name" reload
    sleep 1
    out=$(pg_psql postgres -c 'SELECT 1' 2>&1) && return 0
  fi
  if [[ $out == *"role \"$PG_USER\" does not exist"* ]]; then
    say "  creating role $PG_USER (superuser) in the new cluster"
    (cd / && runuser -u postgres -- psql -X -q -p "$PG_PORT" -v ON_ERROR_STOP=1 \
      -c "CREATE ROLE \"${PG_USER//\"/\"\"}\" LOGIN SUPERUSER" >/dev/null)
  fi
}

pg_start_debian_cluster() {
  local version=$1 name=$2
  say "  starting Debian cluster $version/$name: pg_ctlcluster --skip-systemctl-redirect $version $name start"
  pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start ||
    die "pg_ctlcluster $version $name start failed; see /var/log/postgresql/postgresql-$version-$name.log"
  PG_HOW="Debian cluster $version/$name"
  PG_DEBIAN_CLUSTER="$version $name"
}

pg_start_private_cluster() {
  local bindir=$1 log listen
  log=$PG_LOG
  listen=127.0.0.1
  [[ $PG_HOST == localhost ]] && listen=localhost
  mkdir -p "$PG_DATA"
  touch "$log"
  if is_root; then
    id -u postgres >/dev/null 2>&1 ||
      die "running as root, but there is no 'postgres' OS user to run PostgreSQL as (PostgreSQL refuses to run as root). Create one (useradd --system postgres) or run this script as a normal user."
    chown postgres "$PG_DATA" "$log"
    chmod 700 "$PG_DATA"
  fi
  if [[ ! -f $PG_DATA/PG_VERSION ]]; then
    say "  initdb: private cluster in ${PG_DATA#"$ROOT"/} (superuser $PG_USER, trust on 127.0.0.1)"
    as_pg "$bindir/initdb" -D "$PG_DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C >>"$log" 2>&1 ||
      die "initdb failed; last lines of $log:
$(tail -n 20 "$log")"
    # TCP only: no Unix socket, so the cluster needs no writable /var/run/postgresql.
    printf "\n# metrobici private development cluster (scripts/services.sh)\nunix_socket_directories = ''\n" \
      >>"$PG_DATA/postgresql.conf"
  fi
  if as_pg "$bindir/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    say "  the private cluster runs but not on port $PG_PORT: restarting it there"
    as_pg "$bindir/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  fi
  say "  starting it on $listen:$PG_PORT, log in ${log#"$ROOT"/}"
  if ! as_pg "$bindir/pg_ctl" -D "$PG_DATA" -l "$log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=$listen" start >/dev/null; then
    die "PostgreSQL did not start; last lines of $log:
$(tail -n 20 "$log")"
  fi
  local stop="$bindir/pg_ctl -D $PG_DATA stop"
  is_root && stop="runuser -u postgres -- $stop"
  PG_HOW="private cluster ${PG_DATA#"$ROOT"/}, stop with: $stop"
}

pg_data_location() {
  PG_DATA=$DATA_DIR/postgres
  PG_LOG=$DATA_DIR/postgres.log
  mkdir -p "$DATA_DIR"
  # As root the server runs as `postgres`, which must reach the directory (not so under /root).
  if is_root && id -u postgres >/dev/null 2>&1 && ! as_pg test -x "$DATA_DIR" 2>/dev/null; then
    local base=/var/lib/postgresql
    [[ -d $base ]] || base=${TMPDIR:-/tmp}
    PG_DATA=$base/metrobici-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)
    PG_LOG=$PG_DATA.log
    say "  the postgres user cannot enter $DATA_DIR: using $PG_DATA instead"
  fi
}

pg_ensure_running() {
  say "PostgreSQL: checking $PG_HOST:$PG_PORT"
  if pg_listening; then
    say "PostgreSQL: already listening at $PG_HOST:$PG_PORT"
    return 0
  fi
  if have pg_isready && tcp_open "$PG_HOST" "$PG_PORT"; then
    say "  something listens at $PG_HOST:$PG_PORT but does not accept connections yet; waiting"
    wait_until 30 pg_listening && return 0
    die "the server at $PG_HOST:$PG_PORT does not accept connections (is it PostgreSQL? still starting or shutting down?)"
  fi
  is_local_host "$PG_HOST" ||
    die "nothing answers at $PG_HOST:$PG_PORT (from DATABASE_URL), and that is not this machine, so this script will not start a server for it. Start that server, or point DATABASE_URL at a reachable one (in .env or the environment)."

  pg_data_location
  local bindir="" cluster version name status
  bindir=$(pg_bindir) || bindir=""
  if [[ -z $bindir ]] && can_apt; then
    say "  no PostgreSQL server binaries found: installing the Debian package"
    apt_install postgresql
    PG_INSTALLED_NOW=1
    bindir=$(pg_bindir) || die "apt-get installed postgresql but no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
    # The package may have started its own cluster on this port.
    if wait_until 5 pg_listening; then
      PG_HOW="Debian package installed now"
      cluster=$(debian_cluster_on_port) && PG_DEBIAN_CLUSTER="${cluster% *}"
      return 0
    fi
  fi
  if [[ -n $bindir ]]; then
    if is_root && cluster=$(debian_cluster_on_port); then
      read -r version name status <<<"$cluster"
      if [[ $status == down ]]; then
        pg_start_debian_cluster "$version" "$name"
      else
        say "  Debian cluster $version/$name is '$status' on port $PG_PORT: waiting for it"
        PG_HOW="Debian cluster $version/$name"
        PG_DEBIAN_CLUSTER="$version $name"
      fi
    else
      pg_start_private_cluster "$bindir"
    fi
  elif docker_ok; then
    say "  no local PostgreSQL: starting it with Docker (docker/compose.yaml, service postgres)"
    POSTGRES_PORT=$PG_PORT compose up -d postgres
    PG_HOW="docker compose service postgres, stop with: docker compose -f docker/compose.yaml down"
  else
    local why
    why=$(cannot_start_reasons "no PostgreSQL server binaries (looked for /usr/lib/postgresql/*/bin/initdb and initdb + pg_ctl on PATH)" them)
    die "PostgreSQL is not running at $PG_HOST:$PG_PORT and this script cannot start one:
$why
Fix one of these, then run this again:
  - install PostgreSQL 14 or newer: sudo apt-get install postgresql (Debian/Ubuntu), brew install postgresql@16 (macOS)
  - start Docker (this script then uses docker/compose.yaml)
  - point DATABASE_URL (in .env or the environment) at a PostgreSQL server you already have"
  fi
  wait_until 60 pg_listening || die "PostgreSQL did not come up at $PG_HOST:$PG_PORT within 60 s ($PG_HOW)"
}

pg_ensure_database() {
  local literal=${PG_DB//\'/\'\'} ident=${PG_DB//\"/\"\"} out maint=postgres
  if have psql; then
    if [[ -n $PG_INSTALLED_NOW && -n $PG_DEBIAN_CLUSTER ]] && is_root; then
      # shellcheck disable=SC2086 # "version name"
      debian_open_access $PG_DEBIAN_CLUSTER
    fi
    if ! out=$(pg_psql postgres -c 'SELECT 1' 2>&1) && [[ $out == *'database "postgres" does not exist'* ]]; then
      maint=template1
    fi
    out=$(pg_psql "$maint" -c "SELECT 1 FROM pg_database WHERE datname = '$literal'" 2>&1) ||
      die "PostgreSQL at $PG_HOST:$PG_PORT refused user '$PG_USER':
  $out
Fix the user or password in DATABASE_URL (.env or the environment), or allow it in the server's pg_hba.conf."
    if [[ $out == 1 ]]; then
      say "  database $PG_DB exists"
    else
      pg_psql "$maint" -c "CREATE DATABASE \"$ident\"" >/dev/null
      say "  created database $PG_DB"
    fi
  elif [[ -f $ROOT/node_modules/pg/package.json ]] && have node; then
    # No psql (e.g. PostgreSQL runs in Docker): use the project's own driver.
    # shellcheck disable=SC2016 # JavaScript, not shell
    out=$(PG_URL="$DATABASE_URL" PG_DB="$PG_DB" node -e '
      const { Client } = require("pg");
      const url = new URL(process.env.PG_URL); url.pathname = "/postgres";
      const c = new Client({ connectionString: url.toString() });
      (async () => {
        await c.connect();
        const r = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [process.env.PG_DB]);
        if (r.rowCount === 0) { await c.query(`CREATE DATABASE "${process.env.PG_DB.replace(/"/g, "\"\"")}"`); console.log("created"); }
        else console.log("exists");
        await c.end();
      })().catch((e) => { console.error(e.message); process.exit(1); });' 2>&1) ||
      die "cannot check database $PG_DB at $PG_HOST:$PG_PORT: $out"
    say "  database $PG_DB $out"
  elif [[ $PG_HOW == docker* ]]; then
    compose exec -T postgres psql -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$literal'" | grep -q 1 ||
      compose exec -T postgres psql -U postgres -c "CREATE DATABASE \"$ident\""
    say "  database $PG_DB ready"
  else
    warn "psql is not installed, so database '$PG_DB' was not checked; create it if migrations fail (apt-get install postgresql-client)"
  fi
}

# ---------------------------------------------------------------------------------------------
# Redis

REDIS_URL=$(setting REDIS_URL "$DEFAULT_REDIS_URL")
parse_url "$REDIS_URL" || die "REDIS_URL is not a URL: $REDIS_URL"
case $U_SCHEME in redis | rediss) ;; *) die "REDIS_URL must start with redis:// or rediss://, got: $REDIS_URL" ;; esac
R_SCHEME=$U_SCHEME
R_TLS=""
[[ $R_SCHEME == rediss ]] && R_TLS=1
R_HOST=${U_HOST:-127.0.0.1}
R_PORT=${U_PORT:-6379}
R_USER=$U_USER
R_PASS=$U_PASS
R_DB=${U_PATH:-0}
R_HOW="already running"

# Runs one Redis command, printing the reply one value a line; redis-cli if present, else RESP
# over /dev/tcp (no TLS there).
redis_cmd() {
  if have redis-cli; then
    local -a args=(-h "$R_HOST" -p "$R_PORT")
    [[ -n $R_USER ]] && args+=(--user "$R_USER")
    [[ -n $R_PASS ]] && args+=(-a "$R_PASS" --no-auth-warning)
    [[ -n $R_TLS ]] && args+=(--tls)
    redis-cli "${args[@]}" --raw "$@" 2>&1 </dev/null
    return
  fi
  [[ -z $R_TLS ]] || return 1
  (
    exec 3<>"/dev/tcp/$R_HOST/$R_PORT" || exit 1
    resp_send() {
      local arg
      printf '*%d\r\n' "$#" >&3
      for arg in "$@"; do printf '$%d\r\n%s\r\n' "${#arg}" "$arg" >&3; done
    }
    resp_read() { # prints a reply, one value a line; flat arrays only
      local line n i
      IFS= read -r -t 5 line <&3 || exit 1
      line=${line%$'\r'}
      case $line in
      \**)
        n=${line#\*}
        for ((i = 0; i < n; i++)); do resp_read; done
        ;;
      \$-1) printf '\n' ;;
      \$*)
        IFS= read -r -t 5 line <&3 || exit 1
        printf '%s\n' "${line%$'\r'}"
        ;;
      *) printf '%s\n' "${line:1}" ;;
      esac
    }
    if [[ -n $R_PASS ]]; then
      if [[ -n $R_USER ]]; then resp_send AUTH "$R_USER" "$R_PASS"; else resp_send AUTH "$R_PASS"; fi
      resp_read >/dev/null
    fi
    resp_send "$@"
    resp_read
  )
}

redis_listening() {
  if have redis-cli; then
    local out
    out=$(redis_cmd PING) || true
    # Any Redis reply (PONG, NOAUTH, LOADING...) means a server is there.
    [[ -n $out && $out != *"Could not connect"* && $out != *"Connection refused"* ]]
  else
    tcp_open "$R_HOST" "$R_PORT"
  fi
}

redis_ponging() { [[ $(redis_cmd PING 2>/dev/null) == PONG* ]]; }

redis_start_local() {
  local bin=$1 dir=$DATA_DIR/redis log=$DATA_DIR/redis.log
  mkdir -p "$dir"
  local -a args=(--port "$R_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir"
    --maxmemory-policy noeviction --daemonize yes --logfile "$log" --pidfile "$dir/redis-$R_PORT.pid")
  [[ -n $R_PASS && -z $R_USER ]] && args+=(--requirepass "$R_PASS")
  say "  starting $bin on 127.0.0.1:$R_PORT (no persistence), log in ${log#"$ROOT"/}"
  "$bin" "${args[@]}" </dev/null || die "redis-server did not start; last lines of $log:
$(tail -n 20 "$log" 2>/dev/null)"
  R_HOW="local redis-server, stop with: redis-cli -p $R_PORT shutdown nosave"
  wait_until 15 redis_ponging || die "Redis did not answer at 127.0.0.1:$R_PORT within 15 s; last lines of $log:
$(tail -n 20 "$log" 2>/dev/null)"
}

redis_ensure_running() {
  say "Redis: checking $R_HOST:$R_PORT"
  if redis_listening; then
    say "Redis: already listening at $R_HOST:$R_PORT"
    return 0
  fi
  is_local_host "$R_HOST" ||
    die "nothing answers at $R_HOST:$R_PORT (from REDIS_URL), and that is not this machine, so this script will not start a server for it. Start that server, or point REDIS_URL at a reachable one (in .env or the environment)."
  local bin=""
  bin=$(command -v redis-server 2>/dev/null) || bin=""
  if [[ -z $bin ]] && can_apt; then
    say "  redis-server not found: installing the Debian package"
    apt_install redis-server
    bin=$(command -v redis-server) || die "apt-get installed redis-server but it is not on PATH"
    # The package may have started its own server on this port.
    if wait_until 3 redis_listening; then
      R_HOW="Debian package installed now"
      return 0
    fi
  fi
  if [[ -n $bin ]]; then
    redis_start_local "$bin"
  elif docker_ok; then
    say "  no local Redis: starting it with Docker (docker/compose.yaml, service redis)"
    REDIS_PORT=$R_PORT compose up -d redis
    R_HOW="docker compose service redis, stop with: docker compose -f docker/compose.yaml down"
    wait_until 60 redis_listening || die "Redis did not come up at $R_HOST:$R_PORT within 60 s (docker compose)"
  else
    local why
    why=$(cannot_start_reasons "redis-server is not installed" it)
    die "Redis is not running at $R_HOST:$R_PORT and this script cannot start one:
$why
Fix one of these, then run this again:
  - install Redis 6.2 or newer: sudo apt-get install redis-server (Debian/Ubuntu), brew install redis (macOS)
  - start Docker (this script then uses docker/compose.yaml)
  - point REDIS_URL (in .env or the environment) at a Redis server you already have"
  fi
}

redis_ensure_noeviction() {
  local out policy
  if ! out=$(redis_cmd CONFIG GET maxmemory-policy) || [[ $out != maxmemory-policy* ]]; then
    warn "could not read maxmemory-policy from Redis at $R_HOST:$R_PORT (${out:-no reply}); BullMQ needs 'noeviction'"
    return 0
  fi
  policy=$(printf '%s\n' "$out" | sed -n 2p)
  if [[ $policy == noeviction ]]; then
    say "  maxmemory-policy is noeviction"
    return 0
  fi
  out=$(redis_cmd CONFIG SET maxmemory-policy noeviction) || true
  if [[ $out == OK* ]]; then
    say "  maxmemory-policy was '$policy': set it to noeviction (CONFIG SET; not persisted in redis.conf)"
  else
    warn "maxmemory-policy is '$policy' and CONFIG SET failed (${out:-no reply}); BullMQ needs 'noeviction': set it in redis.conf"
  fi
}

# ---------------------------------------------------------------------------------------------

pg_ensure_running
pg_ensure_database
redis_ensure_running
redis_ensure_noeviction

pg_shown="postgres://$PG_USER@$PG_HOST:$PG_PORT/$PG_DB"
redis_shown="$R_SCHEME://$R_HOST:$R_PORT/$R_DB"
say ""
say "Services ready:"
say "  PostgreSQL  $pg_shown  ($PG_HOW)"
say "  Redis       $redis_shown  ($R_HOW)"
