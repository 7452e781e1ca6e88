#!/usr/bin/env bash
# Libraries and files per second per node of a cluster of 1, 2 and 3 `serve` nodes on 127.0.0.1,
# all on one private PostgreSQL journal: the same 30 libraries (local-folder targets) backed up
# from nothing by each cluster size in turn, timed from the nodes' start to the last file on its
# target. Prints a Markdown table; progress goes to stderr.
#   bench/cluster.sh                 # 30 libraries x 40 files of 128 KiB
#   bench/cluster.sh 30 100 256      # libraries, files a library, KiB a file
# Starts its PostgreSQL with scripts/postgres.sh (which installs it with apt-get when initdb is
# missing); builds the app with Maven. The nodes
# share this machine's cores: on a 2-core machine more nodes add coordination, not CPU, so the
# figure shows what sharding costs and what it spreads, not what more machines would give.
set -euo pipefail

libraries="${1:-30}"
files_per_library="${2:-40}"
file_kib="${3:-128}"

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
jar="$root/adapters/app/target/autoupload.jar"
work="$(mktemp -d "${TMPDIR:-/tmp}/autoupload-cluster-bench.XXXXXX")"
chmod 755 "$work" # the postgres user runs the server below it
nodes=()
postgres="$root/scripts/postgres.sh"
journal_url=""

say() { echo "bench: $*" >&2; }
die() {
  echo "bench: error: $*" >&2
  exit 1
}

stop_nodes() {
  local pid
  for pid in ${nodes[@]+"${nodes[@]}"}; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in ${nodes[@]+"${nodes[@]}"}; do
    wait "$pid" 2>/dev/null || true
  done
  nodes=()
}

cleanup() {
  stop_nodes
  if [[ -d "$work/pg/data" ]]; then
    bash "$postgres" stop "$work/pg" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

make_sources() {
  say "writing $libraries libraries x $files_per_library files of $file_kib KiB ..."
  local l f
  for ((l = 1; l <= libraries; l++)); do
    mkdir -p "$work/src/lib$l"
    for ((f = 1; f <= files_per_library; f++)); do
      head -c "$((file_kib * 1024))" /dev/urandom >"$work/src/lib$l/IMG_$f.JPG"
    done
  done
  # Older than the folder source's settle time, so that nothing waits for a file to settle.
  find "$work/src" -type f -exec touch -d '2 minutes ago' {} +
}

write_config() { # $1: the nodes' ports, comma-separated as "host:port" strings
  local seeds="$1" l
  {
    echo "autoupload {"
    echo "  layout.pattern = \"{path}\""
    echo "  journal { url = \"$journal_url\", user = \"postgres\", password = \"\" }"
    echo "  cluster { seed-nodes = [$seeds], wait-for-nodes = $2, stable-after = 3s }"
    echo "  libraries = ["
    for ((l = 1; l <= libraries; l++)); do
      echo "    { id = \"lib$l\", source = \"$work/src/lib$l\", target = \"file://$work/dst/lib$l\" }"
    done
    echo "  ]"
    echo "}"
  } >"$work/cluster.conf"
}

files_on_targets() {
  find "$work/dst" -type f -name 'IMG_*.JPG' 2>/dev/null | wc -l
}

# One cluster size: a fresh journal and fresh targets, N nodes started at once, timed until every
# file is on its target. Prints the seconds.
run_cluster() {
  local n="$1" ports=() seeds="" i port
  journal_url="$(bash "$postgres" createdb "$work/pg" "nodes$n")"
  rm -rf "$work/dst" "$work"/node*
  for ((i = 0; i < n; i++)); do
    port="$(free_port)"
    ports+=("$port")
    seeds+="${seeds:+, }\"127.0.0.1:$port\""
  done
  write_config "$seeds" "$n"
  local total=$((libraries * files_per_library)) start end
  start="$(date +%s.%N)"
  for ((i = 0; i < n; i++)); do
    java -XX:+UseSerialGC -jar "$jar" serve --config "$work/cluster.conf" --data-dir "$work/node$i" --http off \
      --set "autoupload.cluster.port=${ports[$i]}" >"$work/node$i.log" 2>&1 &
    nodes+=("$!")
  done
  local deadline=$((SECONDS + 1800))
  while (($(files_on_targets) < total)); do
    ((SECONDS < deadline)) || die "$n node(s): $(files_on_targets) of $total files after 30 minutes; logs in $work"
    for i in "${!nodes[@]}"; do
      kill -0 "${nodes[$i]}" 2>/dev/null || die "node $i of $n exited: $(tail -5 "$work/node$i.log")"
    done
    sleep 0.5 # polling the targets from the shell: the bench's clock, not a test's synchronisation
  done
  end="$(date +%s.%N)"
  stop_nodes
  # Every file once and byte-exact, or the figure means nothing.
  (cd "$work/src" && find . -type f -exec sha256sum {} + | sort -k2) >"$work/src.sha"
  (cd "$work/dst" && find . -type f -exec sha256sum {} + | sort -k2) >"$work/dst.sha"
  cmp -s "$work/src.sha" "$work/dst.sha" || die "$n node(s): the targets differ from the sources"
  python3 -c "print(f'{$end - $start:.1f}')"
}

say "building the app ..."
(cd "$root" && (mvn -B -q -o -pl adapters/app -am package -DskipTests || mvn -B -q -pl adapters/app -am package -DskipTests)) >&2
[[ -f "$jar" ]] || die "the build left no $jar"
# The bench times Autoupload, not the disk: no fsync for PostgreSQL.
AUTOUPLOAD_PG_FSYNC=off bash "$postgres" start "$work/pg" >/dev/null
make_sources

total=$((libraries * files_per_library))
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
for n in 1 2 3; do
  say "$n node(s) ..."
  seconds="$(run_cluster "$n")"
  rows+=("$(python3 -c "
s = $seconds; n = $n; files = $total; libs = $libraries
print(f'| {n} | {s:.1f} s | {files / s:.1f} | {files / s / n:.1f} | {libs / s * 60:.1f} |')")")
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "\`bench/cluster.sh $libraries $files_per_library $file_kib\`, $(date +%F), $(nproc) cores, load average before / after: $load_before / $load_after."
echo "$libraries libraries x $files_per_library files of $file_kib KiB, local-folder targets, one PostgreSQL journal; from the nodes' start (process start included) to the last file on its target."
echo
echo "| nodes | time | files/s | files/s per node | libraries completed a minute |"
echo "| --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
