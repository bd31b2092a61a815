# Sourced by scripts/run and scripts/test: makes sure a PostgreSQL server answers and exports
# PG_SERVER_URL (a URL to the server's `postgres` database).
#
# 1. DATABASE_URL set: used as it is.
# 2. A server on 127.0.0.1:5432 with trust auth (as on the project's machines): used.
# 3. Otherwise: a private server from the system's PostgreSQL binaries (installed with apt-get
#    when missing) in .data/postgres, on port 54329.

pg_bin() {
  local tool=$1
  if command -v "$tool" >/dev/null 2>&1; then command -v "$tool"; return; fi
  ls -d /usr/lib/postgresql/*/bin/"$tool" 2>/dev/null | sort -V | tail -n 1
}

pg_install() {
  if [ -n "$(pg_bin initdb)" ] && [ -n "$(pg_bin psql)" ]; then return; fi
  echo "==> installing PostgreSQL with apt-get" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql postgresql-client >&2
}

pg_answers() {
  local url=$1
  "$(pg_bin psql)" "$url" -qAtc 'SELECT 1' >/dev/null 2>&1
}

pg_start_private() {
  local root data port=54329
  root="$(pwd)/.data"
  data="$root/postgres"
  local url="postgres://postgres@127.0.0.1:$port/postgres"
  if pg_answers "$url"; then PG_SERVER_URL=$url; return; fi
  local run=()
  # initdb and postgres refuse to run as root.
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$root" postgres
    run=(runuser -u postgres --)
  fi
  mkdir -p "$root"
  if [ ! -s "$data/PG_VERSION" ]; then
    echo "==> creating a private PostgreSQL cluster in $data" >&2
    mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown -R postgres "$root"
    "${run[@]}" "$(pg_bin initdb)" -D "$data" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  echo "==> starting the private PostgreSQL on 127.0.0.1:$port" >&2
  "${run[@]}" "$(pg_bin pg_ctl)" -D "$data" -l "$root/postgres.log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $data -c max_connections=300 -c fsync=off" start >/dev/null
  PG_SERVER_URL=$url
}

ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    PG_SERVER_URL=$DATABASE_URL
    export PG_SERVER_URL
    return
  fi
  local default="postgres://postgres@127.0.0.1:5432/postgres"
  if [ -n "$(pg_bin psql)" ] && pg_answers "$default"; then
    PG_SERVER_URL=$default
  else
    pg_install
    pg_start_private
  fi
  export PG_SERVER_URL
}

# Creates database $1 on the server when it does not exist yet; prints its URL.
ensure_database() {
  local name=$1 base=${PG_SERVER_URL%/*}
  if ! "$(pg_bin psql)" "$PG_SERVER_URL" -qAtc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    "$(pg_bin psql)" "$PG_SERVER_URL" -qc "CREATE DATABASE $name" >/dev/null
  fi
  echo "$base/$name"
}
