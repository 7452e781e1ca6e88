#!/usr/bin/env bash
# Autoupload beside curl, rclone and cp on the same files, in the same run, against servers it
# starts on 127.0.0.1 (nginx WebDAV, tus-java-server, S3Proxy, nginx in front of the last two to
# count requests): prints a Markdown table of each figure, its reference and their ratio.
#   bench/run.sh quick    # 500 x 256 KiB and one 256 MiB file: a few minutes
#   bench/run.sh full     # 10,000 x 256 KiB and one 1 GiB file; writes the table into README.md
#   bench/run.sh quick 50 16   # the profile with another file count and big file size (MiB)
# Installs what is missing (curl, rclone, strace, GNU time, nginx with WebDAV) with apt-get; builds
# the app and asks Maven for the servers' jars (bench/pom.xml). Progress goes to stderr.
set -euo pipefail

case "${1:-}" in
  quick) small_count=500 big_mib=256 idle_seconds=10 ;;
  full) small_count=10000 big_mib=1024 idle_seconds=60 ;;
  *)
    echo "usage: bench/run.sh quick|full" >&2
    exit 2
    ;;
esac
profile="$1"
small_count="${2:-$small_count}"
big_mib="${3:-$big_mib}"
traced_count=$((small_count < 200 ? small_count : 200)) # strace slows a run: fsyncs on a sample

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
jar="$root/adapters/app/target/autoupload.jar"
work="$(mktemp -d "${TMPDIR:-/tmp}/autoupload-bench.XXXXXX")"
servers=()

cleanup() {
  local pid
  for pid in ${servers[@]+"${servers[@]}"}; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

say() { echo "bench: $*" >&2; }
die() {
  echo "bench: error: $*" >&2
  exit 1
}

# --- what it needs ------------------------------------------------------------------------------

install_missing() {
  local missing=()
  command -v curl >/dev/null || missing+=(curl)
  command -v rclone >/dev/null || missing+=(rclone)
  command -v strace >/dev/null || missing+=(strace)
  [[ -x /usr/bin/time ]] || missing+=(time)
  command -v nginx >/dev/null || missing+=(nginx-light)
  [[ -f /usr/lib/nginx/modules/ngx_http_dav_ext_module.so ]] || missing+=(libnginx-mod-http-dav-ext)
  command -v python3 >/dev/null || missing+=(python3)
  ((${#missing[@]} == 0)) && return
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "missing ${missing[*]}: install them (apt-get install ${missing[*]}) or run as root"
    sudo=(sudo)
  fi
  say "installing ${missing[*]} ..."
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

mvn_quiet() { # offline first; online when a dependency is missing. Never installs into ~/.m2.
  (cd "$root" && mvn -B -q -o "$@") >&2 || (cd "$root" && mvn -B -q "$@") >&2 || die "mvn $* failed"
}

build() {
  say "building the app and the bench servers ..."
  mvn_quiet -pl adapters/app -am package -DskipTests
  [[ -f "$jar" ]] || die "the build left no $jar"
  touch "$jar" # the launcher then finds the jar fresh and only makes its class-data archive
  "$root/autoupload" --version >/dev/null
  export AUTOUPLOAD_NO_BUILD=1 # a source edited while the bench runs must not rebuild in a measured run
  mvn_quiet -f bench/pom.xml dependency:build-classpath -Dmdep.outputFile="$work/classpath"
  s3proxy_jar="$(tr ':' '\n' <"$work/classpath" | grep '/s3proxy-.*jar-with-dependencies.jar$')"
  # S3Proxy's fat jar carries the Servlet 5 API: keep it off the tus server's class path.
  tus_classpath="$(tr ':' '\n' <"$work/classpath" | grep -v '/s3proxy-' | paste -sd:)"
  mkdir -p "$work/classes"
  javac -d "$work/classes" -cp "$tus_classpath" "$root/bench/java/TusBenchServer.java"
}

# --- servers ------------------------------------------------------------------------------------

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

await_port() { # port, name, log file
  local i
  for ((i = 0; i < 300; i++)); do
    (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return
    sleep 0.1
  done
  die "$2 did not listen on 127.0.0.1:$1: $(tail -5 "$3" 2>/dev/null)"
}

s3_key=benchaccesskey
s3_secret=benchsecretkey
s3_bucket=bench

start_servers() {
  dav_port=$(free_port) tus_port=$(free_port) s3_port=$(free_port)
  local tus_backend s3_backend
  tus_backend=$(free_port) s3_backend=$(free_port)

  mkdir -p "$work/tus" "$work/s3/$s3_bucket"
  java -cp "$work/classes:$tus_classpath" TusBenchServer "$work/tus" "$tus_backend" >"$work/tus.log" 2>&1 &
  servers+=($!)
  cat >"$work/s3proxy.properties" <<EOF
s3proxy.endpoint=http://127.0.0.1:$s3_backend
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$s3_key
s3proxy.credential=$s3_secret
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/s3
EOF
  java -jar "$s3proxy_jar" --properties "$work/s3proxy.properties" >"$work/s3proxy.log" 2>&1 &
  servers+=($!)

  local module=/usr/lib/nginx/modules/ngx_http_dav_ext_module.so
  mkdir -p "$work/nginx/body" "$work/www"
  # Every request any client makes is one line of access.log: the bench counts lines per case.
  # The proxies stream bodies both ways and keep their upstream connections alive.
  cat >"$work/nginx/nginx.conf" <<EOF
load_module $module;
$( ((EUID == 0)) && echo "user root root;")
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 256; }
http {
  log_format bench '\$msec \$request_time \$request_method \$status \$request_uri';
  access_log $work/nginx/access.log bench;
  client_body_temp_path $work/nginx/body;
  client_max_body_size 0;
  keepalive_requests 100000;
  upstream tus { server 127.0.0.1:$tus_backend; keepalive 16; }
  upstream s3 { server 127.0.0.1:$s3_backend; keepalive 16; }
  server {
    listen 127.0.0.1:$dav_port;
    root $work/www;
    location / {
      dav_methods PUT DELETE MKCOL COPY MOVE;
      dav_ext_methods PROPFIND OPTIONS;
      dav_access user:rw group:rw all:r;
      create_full_put_path on;
    }
  }
  server {
    listen 127.0.0.1:$tus_port;
    location / {
      proxy_pass http://tus;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_request_buffering off;
      proxy_buffering off;
    }
  }
  server {
    listen 127.0.0.1:$s3_port;
    location / {
      proxy_pass http://s3;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_request_buffering off;
      proxy_buffering off;
    }
  }
}
EOF
  nginx -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" -p "$work/nginx" >"$work/nginx/out.log" 2>&1 &
  servers+=($!)
  await_port "$dav_port" nginx "$work/nginx/error.log"
  await_port "$tus_backend" tus-java-server "$work/tus.log"
  await_port "$s3_backend" S3Proxy "$work/s3proxy.log"
  touch "$work/nginx/access.log"
}

# --- measuring ----------------------------------------------------------------------------------

declare -A wall user sys requests started first_byte

# measure NAME COMMAND...: wall and CPU seconds (children included), requests nginx logged, and
# when the command started, for start-up to first byte. Output goes to $work/NAME.out / .err.
measure() {
  local name="$1" before after
  shift
  sync
  before=$(wc -l <"$work/nginx/access.log")
  started[$name]=$(date +%s.%N)
  if ! /usr/bin/time -f '%e %U %S' -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err"; then
    die "$name failed: $(tail -3 "$work/$name.err")"
  fi
  sleep 0.2 # nginx writes a line when it has answered; the client may see the answer first
  after=$(wc -l <"$work/nginx/access.log")
  read -r wall[$name] user[$name] sys[$name] <"$work/$name.time"
  requests[$name]=$((after - before))
  first_byte[$name]=$(tail -n +"$((before + 1))" "$work/nginx/access.log" |
    awk -v start="${started[$name]}" '$3 == "PUT" || $3 == "PATCH" {
      t = $1 - $2 - start; if (!found || t < min) { min = t; found = 1 } }
      END { if (found) printf "%.3f", min; else print "" }')
  say "$(printf '%-22s %8.2f s wall %7.2f s CPU %6d requests' "$name" "${wall[$name]}" \
    "$(cpu "$name")" "${requests[$name]}")"
}

cpu() { awk -v u="${user[$1]}" -v s="${sys[$1]}" 'BEGIN { printf "%.2f", u + s }'; }

au_opts=(--http off --set autoupload.source.folder.stable-for=0s)

autoupload() { # case name, source, target URI; a fresh data dir each time
  local sampler
  journal_peak "$work/data-$1/journal.mv.db" "$work/$1.journal-peak" &
  sampler=$!
  servers+=("$sampler")
  measure "$1" "$root/autoupload" run --once --source "$2" --target "$3" --data-dir "$work/data-$1" "${au_opts[@]}"
  kill "$sampler"
  wait "$sampler" 2>/dev/null || true
}

journal_peak() { # journal file, output file: the largest size the journal's file had, kept up to date
  local peak=0 size
  while :; do
    size=$(stat -c %s "$1" 2>/dev/null || echo 0)
    ((size > peak)) && peak=$size && echo "$peak" >"$2"
    sleep 0.5
  done
}

make_files() {
  say "making $small_count x 256 KiB files and one $big_mib MiB file ..."
  mkdir -p "$work/small" "$work/big"
  # Each file its own random content: Autoupload never uploads a copy twice.
  head -c $((small_count * 262144)) /dev/urandom | (cd "$work/small" && split -b 262144 -d -a 5 --additional-suffix=.JPG - IMG_)
  head -c $((big_mib * 1048576)) /dev/urandom >"$work/big/VIDEO.MOV"
  big_bytes=$((big_mib * 1048576))
}

# curl configs: one PUT per file to URL_PREFIX/name, the files split over $2 lists.
curl_lists() { # name, parts, url prefix
  local i=0 f
  rm -f "$work/$1".*.curl
  for f in "$work/small"/*; do
    printf 'upload-file = "%s"\nurl = "%s/%s"\noutput = /dev/null\n' "$f" "$3" "${f##*/}" >>"$work/$1.$((i % $2)).curl"
    i=$((i + 1))
  done
}

parallel_curl() { # name, curl options...: one curl process per list, all at once, each on one connection
  local name="$1" list pids=() status=0
  shift
  for list in "$work/$name".*.curl; do
    curl -sS --fail "$@" -K "$list" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || status=1
  done
  return $status
}
export -f parallel_curl
export work

# S3Proxy needs the payload hash header, which curl leaves out.
s3_curl=(--aws-sigv4 "aws:amz:us-east-1:s3" -u "$s3_key:$s3_secret" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")

# tus by curl: creation (POST) of every upload on one connection, then one PATCH per upload on one
# connection, per list.
tus_curl() { # name, tus url, size
  local list status=0 pids=()
  for list in "$work/$1".*.tuslist; do
    (
      set -euo pipefail
      awk -v url="$2" '{ printf "url = \"%s\"\noutput = /dev/null\n", url }' "$list" >"$list.create"
      curl -sS --fail -X POST -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $3" -w '%header{location}\n' -K "$list.create" >"$list.locations"
      paste -d'\n' "$list" "$list.locations" | awk -v base="$2" 'NR % 2 == 1 { f = $0; next }
        { sub(/\r$/, ""); if ($0 !~ /^http/) { sub(/\/files\/.*/, "", base); $0 = base $0 }
          printf "upload-file = \"%s\"\nurl = \"%s\"\noutput = /dev/null\n", f, $0 }' >"$list.patch"
      curl -sS --fail -X PATCH -H 'Tus-Resumable: 1.0.0' -H 'Upload-Offset: 0' \
        -H 'Content-Type: application/offset+octet-stream' -K "$list.patch"
    ) &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || status=1
  done
  return $status
}
export -f tus_curl

tus_lists() { # name, parts, source dir
  local i=0 f
  rm -f "$work/$1".*.tuslist*
  for f in "$3"/*; do
    echo "$f" >>"$work/$1.$((i % $2)).tuslist"
    i=$((i + 1))
  done
}

export RCLONE_CONFIG="$work/rclone.conf"

# --- the cases ----------------------------------------------------------------------------------

run_cases() {
  local dav="http://127.0.0.1:$dav_port" s3="http://127.0.0.1:$s3_port" tus="http://127.0.0.1:$tus_port/files/"
  local s3_uri="s3://$s3_bucket/%s?endpoint=$s3&region=us-east-1&pathStyle=true"
  # rclone's S3 client refuses to start with AWS_CA_BUNDLE set; plain HTTP on loopback needs none.
  local rclone_s3=(--s3-provider Other --s3-endpoint "$s3" --s3-access-key-id "$s3_key"
    --s3-secret-access-key "$s3_secret" --s3-force-path-style --s3-region us-east-1)
  touch "$RCLONE_CONFIG"
  export AWS_ACCESS_KEY_ID="$s3_key" AWS_SECRET_ACCESS_KEY="$s3_secret"

  say "small files to WebDAV ..."
  curl_lists dav1 1 "$dav/curl1"
  measure dav-curl1 bash -c 'parallel_curl dav1'
  curl_lists dav4 4 "$dav/curl4"
  measure dav-curl4 bash -c 'parallel_curl dav4'
  measure dav-rclone rclone copy "$work/small" :webdav:rclone --webdav-url "$dav/" --webdav-vendor other
  autoupload dav-au "$work/small" "webdav://127.0.0.1:$dav_port/au"
  rm -rf "$work/www"/*

  say "small files to tus ..."
  tus_lists tus4 4 "$work/small"
  measure tus-curl4 bash -c "tus_curl tus4 '$tus' 262144"
  autoupload tus-au "$work/small" "tus+http://127.0.0.1:$tus_port/files/"
  rm -rf "$work/tus"/*

  say "small files to S3 ..."
  curl_lists s3c4 4 "$s3/$s3_bucket/curl4"
  measure s3-curl4 bash -c "parallel_curl s3c4 $(printf '%q ' "${s3_curl[@]}")"
  measure s3-rclone env -u AWS_CA_BUNDLE rclone copy "$work/small" ":s3:$s3_bucket/rclone" "${rclone_s3[@]}"
  # shellcheck disable=SC2059
  autoupload s3-au "$work/small" "$(printf "$s3_uri" au)"
  rm -rf "${work:?}/s3/$s3_bucket"/*

  say "one $big_mib MiB file ..."
  measure big-dav-curl curl -sS --fail -o /dev/null -T "$work/big/VIDEO.MOV" "$dav/curl/VIDEO.MOV"
  autoupload big-dav-au "$work/big" "webdav://127.0.0.1:$dav_port/au"
  rm -rf "$work/www"/*
  tus_lists bigtus 1 "$work/big"
  measure big-tus-curl bash -c "tus_curl bigtus '$tus' $big_bytes"
  autoupload big-tus-au "$work/big" "tus+http://127.0.0.1:$tus_port/files/"
  rm -rf "$work/tus"/*
  measure big-s3-curl curl -sS --fail -o /dev/null "${s3_curl[@]}" -T "$work/big/VIDEO.MOV" "$s3/$s3_bucket/curl/VIDEO.MOV"
  measure big-s3-rclone env -u AWS_CA_BUNDLE rclone copy "$work/big" ":s3:$s3_bucket/rclone" "${rclone_s3[@]}"
  # shellcheck disable=SC2059
  autoupload big-s3-au "$work/big" "$(printf "$s3_uri" au)"
  rm -rf "${work:?}/s3/$s3_bucket"/*

  say "local folder ..."
  mkdir -p "$work/cp-small" "$work/cp-big"
  measure local-cp bash -c "cp -r '$work/small/.' '$work/cp-small/' && sync -f '$work/cp-small'"
  autoupload local-au "$work/small" "file://$work/au-small"
  measure big-local-cp bash -c "cp -r '$work/big/.' '$work/cp-big/' && sync -f '$work/cp-big'"
  autoupload big-local-au "$work/big" "file://$work/au-big"
  rm -rf "$work/cp-small" "$work/cp-big" "$work/au-small" "$work/au-big"

  say "fsyncs on $traced_count files, heap and idle ..."
  fsyncs
  heap_and_idle
}

journal_rows() { # data dir: "events all" rows in the journal
  local url="jdbc:h2:file:$1/journal;DATABASE_TO_UPPER=false" tables query
  tables=$(java -cp "$jar" org.h2.tools.Shell -url "$url" -user sa \
    -sql "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC'" |
    awk 'NR > 1 && NF == 1 && $1 !~ /^\(/ { print $1 }')
  query="SELECT (SELECT COUNT(*) FROM event_journal) AS events, ($(echo "$tables" |
    awk '{ printf "%s(SELECT COUNT(*) FROM \"%s\")", (NR > 1 ? " + " : ""), $1 }')) AS all_rows"
  java -cp "$jar" org.h2.tools.Shell -url "$url" -user sa -sql "$query" | awk 'NR == 2 { print $1, $3 }'
}

fsyncs() {
  mkdir -p "$work/sample"
  local files=("$work/small"/*)
  ln "${files[@]:0:traced_count}" "$work/sample/"
  strace -f -c -e trace=fsync,fdatasync -o "$work/strace-dav.txt" "$root/autoupload" run --once \
    --source "$work/sample" --target "webdav://127.0.0.1:$dav_port/traced" --data-dir "$work/data-traced-dav" \
    "${au_opts[@]}" >/dev/null 2>&1 || die "traced WebDAV run failed"
  strace -f -c -e trace=fsync,fdatasync -o "$work/strace-local.txt" "$root/autoupload" run --once \
    --source "$work/sample" --target "file://$work/traced" --data-dir "$work/data-traced-local" \
    "${au_opts[@]}" >/dev/null 2>&1 || die "traced local run failed"
  fsync_dav=$(awk '$NF == "fsync" || $NF == "fdatasync" { n += $4 } END { print n + 0 }' "$work/strace-dav.txt")
  fsync_local=$(awk '$NF == "fsync" || $NF == "fdatasync" { n += $4 } END { print n + 0 }' "$work/strace-local.txt")
  rm -rf "$work/traced" "$work/www"/*
}

# CPU clock ticks (user + system) process $1 has used so far.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# CPU seconds a minute of $1 clock ticks over $idle_seconds.
cpu_per_minute() {
  awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v s="$idle_seconds" 'BEGIN { printf "%.2f", t / hz * 60 / s }'
}

# Heap after a full GC once everything is backed up, then CPU and RSS while idle, of `run` watching.
heap_and_idle() {
  local out="$work/watch.out" pid i first second third
  "$root/autoupload" run --source "$work/small" --target "file://$work/watched" --data-dir "$work/data-watch" \
    "${au_opts[@]}" >"$out" 2>"$work/watch.err" &
  pid=$!
  servers+=("$pid")
  for ((i = 0; i < 600 + small_count * 10; i++)); do # 10 files a second at least
    (($(grep -c '^uploaded ' "$out" || true) >= small_count)) && break
    kill -0 "$pid" 2>/dev/null || die "the watching run ended: $(tail -3 "$work/watch.err")"
    sleep 0.1
  done
  jcmd "$pid" GC.run >/dev/null
  # G1 reports one heap line; the serial collector (the launcher's) one line a generation.
  heap_kib=$(jcmd "$pid" GC.heap_info | grep -E 'garbage-first heap|generation' | grep -o 'used [0-9]*K' |
    tr -dc '0-9\n' | awk '{ sum += $1 } END { print sum + 0 }')
  sleep 2
  # Two windows: the first holds what a watching run does once as it goes idle (after 30 s it
  # gives back the heap its work grew: a few full collections), the second the idle daemon's
  # steady cost.
  first=$(cpu_ticks "$pid")
  sleep "$idle_seconds"
  second=$(cpu_ticks "$pid")
  sleep "$idle_seconds"
  third=$(cpu_ticks "$pid")
  idle_cpu_per_min=$(cpu_per_minute $((second - first)))
  idle_cpu_per_min_later=$(cpu_per_minute $((third - second)))
  rss_mib=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
  kill -TERM "$pid"
  wait "$pid" || true
  rm -rf "$work/watched"
}

# --- the table ----------------------------------------------------------------------------------

rate() { awk -v n="$1" -v t="${wall[$2]}" 'BEGIN { printf "%.0f", n / t }'; }
mbps() { awk -v n="$1" -v t="${wall[$2]}" 'BEGIN { printf "%.0f", n / t / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "—" }'; }
per() { awk -v a="$1" -v n="$2" -v k="$3" 'BEGIN { printf "%.2f", a / n * k }'; }
ms() { [[ -n "$1" ]] && awk -v s="$1" 'BEGIN { printf "%.0f ms", s * 1000 }' || echo "—"; }

small_row() { # label, autoupload case, reference label, reference case
  local au ref
  au=$(rate "$small_count" "$2") ref=$(rate "$small_count" "$4")
  echo "| $1 | $au files/s | $3: $ref files/s | $(ratio "$au" "$ref") |"
}

big_row() {
  local au ref
  au=$(mbps "$big_bytes" "$2") ref=$(mbps "$big_bytes" "$4")
  echo "| $1 | $au MB/s | $3: $ref MB/s | $(ratio "$au" "$ref") |"
}

time_row() { # label, autoupload case, reference label, reference case: ratio of times
  printf '| %s | %.2f s | %s: %.2f s | %s |\n' "$1" "${wall[$2]}" "$3" "${wall[$4]}" "$(ratio "${wall[$2]}" "${wall[$4]}") the time"
}

table() {
  local n="$small_count" kib big="1 × $big_mib MiB" gib
  kib="$(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$n") × 256 KiB"
  gib=$(awk -v b="$big_bytes" 'BEGIN { print b / 1073741824 }')
  echo "| case | Autoupload | reference (same run) | ratio |"
  echo "| --- | --- | --- | --- |"
  small_row "$kib → nginx WebDAV" dav-au "curl, 1 connection" dav-curl1
  small_row "$kib → nginx WebDAV" dav-au "curl, 4 processes × kept-alive connection" dav-curl4
  small_row "$kib → nginx WebDAV" dav-au "rclone copy (4 transfers)" dav-rclone
  small_row "$kib → tus" tus-au "curl, 4 processes: POST all, then PATCH all, kept alive" tus-curl4
  small_row "$kib → S3 (S3Proxy)" s3-au "curl --aws-sigv4, 4 processes × kept-alive connection" s3-curl4
  small_row "$kib → S3 (S3Proxy)" s3-au "rclone copy (4 transfers)" s3-rclone
  big_row "$big → nginx WebDAV" big-dav-au "curl -T (one PUT)" big-dav-curl
  big_row "$big → tus" big-tus-au "curl: POST, one PATCH -T" big-tus-curl
  big_row "$big → S3 multipart" big-s3-au "curl -T (one PutObject)" big-s3-curl
  big_row "$big → S3 multipart" big-s3-au "rclone copy (multipart)" big-s3-rclone
  time_row "$kib → local folder" local-au "cp -r + sync" local-cp
  time_row "$big → local folder" big-local-au "cp -r + sync" big-local-cp
  local c
  for c in dav tus s3; do
    local ref=dav-curl1
    [[ $c == tus ]] && ref=tus-curl4
    [[ $c == s3 ]] && ref=s3-curl4
    printf '| CPU s per 1,000 files (%s) | %s | curl: %s | %s |\n' "$c" "$(per "$(cpu "$c-au")" "$n" 1000)" \
      "$(per "$(cpu "$ref")" "$n" 1000)" "$(ratio "$(cpu "$c-au")" "$(cpu "$ref")")"
  done
  for c in dav tus s3; do
    printf '| CPU s per GiB (%s) | %s | curl: %s | %s |\n' "$c" "$(per "$(cpu "big-$c-au")" "$gib" 1)" \
      "$(per "$(cpu "big-$c-curl")" "$gib" 1)" "$(ratio "$(cpu "big-$c-au")" "$(cpu "big-$c-curl")")"
  done
  printf '| CPU s per 1,000 files (local folder) | %s | cp + sync: %s | %s |\n' "$(per "$(cpu local-au)" "$n" 1000)" \
    "$(per "$(cpu local-cp)" "$n" 1000)" "$(ratio "$(cpu local-au)" "$(cpu local-cp)")"
  for c in dav:dav-curl1 tus:tus-curl4 s3:s3-curl4; do
    printf '| HTTP requests per file (%s) | %s | curl: %s | %s |\n' "${c%%:*}" "$(per "${requests[${c%%:*}-au]}" "$n" 1)" \
      "$(per "${requests[${c#*:}]}" "$n" 1)" "$(ratio "${requests[${c%%:*}-au]}" "${requests[${c#*:}]}")"
  done
  printf '| HTTP requests, %s (dav / tus / S3) | %s / %s / %s | curl: %s / %s / %s | |\n' "$big" \
    "${requests[big-dav-au]}" "${requests[big-tus-au]}" "${requests[big-s3-au]}" \
    "${requests[big-dav-curl]}" "${requests[big-tus-curl]}" "${requests[big-s3-curl]}"
  local rows
  read -r -a rows <<<"$(journal_rows "$work/data-dav-au")"
  printf '| journal rows per file (WebDAV run) | %s events, %s rows in all tables | — | |\n' \
    "$(per "${rows[0]}" "$n" 1)" "$(per "${rows[1]}" "$n" 1)"
  printf '| journal file (WebDAV run): largest while it ran / after it ended | %s MB / %s MB | — | |\n' \
    "$(awk '{ printf "%.1f", $1 / 1e6 }' "$work/dav-au.journal-peak")" \
    "$(stat -c %s "$work/data-dav-au/journal.mv.db" | awk '{ printf "%.1f", $1 / 1e6 }')"
  printf '| fsyncs per file (%s files; WebDAV / local folder) | %s / %s | cp + sync: 0 (one syncfs) | |\n' \
    "$traced_count" "$(per "$fsync_dav" "$traced_count" 1)" "$(per "$fsync_local" "$traced_count" 1)"
  printf '| start-up to first byte (WebDAV, first PUT at nginx) | %s | curl: %s | %s |\n' \
    "$(ms "${first_byte[dav-au]}")" "$(ms "${first_byte[dav-curl1]}")" "$(ratio "${first_byte[dav-au]}" "${first_byte[dav-curl1]}")"
  printf '| heap after full GC, `run` watching %s backed-up files | %.0f MiB | — | |\n' "${kib% ×*}" "$(awk -v k="$heap_kib" 'BEGIN { print k / 1024 }')"
  printf '| idle: `run` watching them, the first %s s / the next %s s | %s / %s CPU s a minute, then %s MiB RSS | an idle daemon: ≈ 0 | |\n' \
    "$idle_seconds" "$idle_seconds" "$idle_cpu_per_min" "$idle_cpu_per_min_later" "$rss_mib"
}

machine() {
  local cpu_model mem
  cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
  echo "$(nproc) cores ($cpu_model), $mem RAM"
}

write_readme() { # replaces what lies between the markers in README.md
  local readme="$root/README.md"
  grep -q '^<!-- bench:run.sh full -->$' "$readme" || die "README.md has no <!-- bench:run.sh full --> marker"
  awk -v table="$work/report.md" '
    /^<!-- bench:run.sh full -->$/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /^<!-- bench:end -->$/ { skip = 0 }
    !skip' "$readme" >"$work/README.md"
  cp "$work/README.md" "$readme"
}

install_missing
build
start_servers
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
make_files
run_cases
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "\`bench/run.sh $profile\`, $(date -u +%Y-%m-%d), $(machine); load average before / after:"
  echo "$load_before / $load_after. Ratios are Autoupload ÷ reference; times include process start-up;"
  echo "each reference ran right before Autoupload on the same files, so what else runs on the machine"
  echo "(a load above the number of cores) slows both, though not always alike."
  echo
  table
} >"$work/report.md"
cat "$work/report.md"
[[ "$profile" == full ]] && write_readme && say "wrote the table into README.md"
exit 0
