#!/usr/bin/env bash
# A private PostgreSQL for Autoupload's journal: its own cluster in a folder, listening on
# 127.0.0.1 only, with a database "autoupload" and the user "postgres" (trust authentication: for
# a machine of your own or a test, not a shared one). The it-tests, bench/cluster.sh and the README's
# "Running a cluster" all start theirs with it.
#
#   scripts/postgres.sh start DIR [PORT]   starts it (PORT 0 or left out: a free one); prints the
#                                          journal's JDBC URL, jdbc:postgresql://127.0.0.1:PORT/autoupload
#   scripts/postgres.sh createdb DIR NAME  another empty database on it; prints its JDBC URL
#   scripts/postgres.sh stop DIR           stops it (the folder stays)
#
# Installs Debian's postgresql package with apt-get when initdb is missing. initdb refuses to run
# as root, so as root the cluster belongs to the postgres user the package creates. Set
# AUTOUPLOAD_PG_FSYNC=off for tests and benchmarks that need no durability across a power cut.
# Progress and errors go to stderr; stdout has the URL alone, for scripts.
set -euo pipefail

say() { echo "postgres: $*" >&2; }
die() {
  echo "postgres: error: $*" >&2
  exit 2
}

usage() {
  sed -n '7,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

as_owner() { # initdb refuses root
  if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi
}

find_bin() {
  if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    local sudo=()
    ((EUID == 0)) || sudo=(sudo)
    say "installing postgresql ..."
    "${sudo[@]}" apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends postgresql >&2
  fi
  pg_bin="$(dirname "$(ls -1 /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
}

free_port() {
  command -v python3 >/dev/null || die "name a port (python3, which finds a free one, is missing)"
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

port_of() {
  [[ -f "$1/port" ]] || die "no PostgreSQL started in $1 (no $1/port)"
  cat "$1/port"
}

start() {
  local dir="$1" port="${2:-0}"
  [[ "$port" =~ ^[0-9]+$ ]] || die "port must be a number, got: $port"
  [[ -e "$dir/data" ]] && die "$dir/data exists already: stop that server, or start in another folder"
  find_bin
  ((port == 0)) && port="$(free_port)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  # The owner of the server must reach its folder.
  chmod 755 "$dir"
  ((EUID == 0)) && chown postgres:postgres "$dir"
  as_owner "$pg_bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    die "initdb failed: $(tail -5 "$dir/initdb.log")"
  echo "$port" >"$dir/port"
  as_owner "$pg_bin/pg_ctl" -D "$dir/data" -w -t 60 -l "$dir/server.log" \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=${AUTOUPLOAD_PG_FSYNC:-on}" \
    start >/dev/null || die "the server did not start: $(tail -5 "$dir/server.log" 2>/dev/null)"
  as_owner "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres autoupload
  say "running in $dir on 127.0.0.1:$port (stop: $0 stop $dir)"
  echo "jdbc:postgresql://127.0.0.1:$port/autoupload"
}

createdb() {
  local dir="$1" name="$2" port
  [[ "$name" =~ ^[A-Za-z0-9_]+$ ]] || die "a database name of letters, digits and _, got: $name"
  port="$(port_of "$dir")"
  find_bin
  as_owner "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$name"
  echo "jdbc:postgresql://127.0.0.1:$port/$name"
}

stop() {
  local dir="$1"
  [[ -d "$dir/data" ]] || die "no PostgreSQL in $dir"
  find_bin
  as_owner "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
}

case "${1:-}" in
  start) (($# == 2 || $# == 3)) || usage; start "$2" "${3:-0}" ;;
  createdb) (($# == 3)) || usage; createdb "$2" "$3" ;;
  stop) (($# == 2)) || usage; stop "$2" ;;
  *) usage ;;
esac
