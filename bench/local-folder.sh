#!/usr/bin/env bash
# Throughput of a backup to a local folder against cp(1), measured in the same run on the same
# disk, printed as ratios (absolute times are noisy; ratios travel between machines).
#   bench/local-folder.sh [small-file-count] [big-file-MiB]
# Each case backs up into an empty target with a fresh data dir; caches are warm for both tools.
# After the small files, run --once again on them, already backed up, five times (issue 14's figure).
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
small_count="${1:-2000}"
big_mib="${2:-1024}"
work="$(mktemp -d "${TMPDIR:-/tmp}/autoupload-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

"$root/autoupload" version >/dev/null # builds the jar if needed, outside the timings
export AUTOUPLOAD_NO_BUILD=1 # and not again inside them, whatever is edited meanwhile

seconds() { # runs "$@" and prints its wall time in seconds
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }'
}

make_files() {
  mkdir -p "$work/small" "$work/big"
  for ((i = 0; i < small_count; i++)); do
    head -c 262144 /dev/urandom >"$work/small/IMG_$(printf %05d "$i").JPG"
  done
  head -c $((big_mib * 1048576)) /dev/urandom >"$work/big/VIDEO.MOV"
}

run_case() { # name, source dir
  local name="$1" source="$2" cp_s au_s bytes
  bytes=$(du -sb "$source" | cut -f1)
  rm -rf "$work/cp-target" && mkdir -p "$work/cp-target"
  cp_s=$(seconds bash -c "cp -r '$source/.' '$work/cp-target/' && sync -f '$work/cp-target'")
  rm -rf "$work/au-target" "$work/au-data"
  # The files were written a moment ago: without stable-for=0 the run would first wait for them
  # to settle, which measures the setting, not the throughput.
  au_s=$(seconds "$root/autoupload" run --once --source "$source" --target "file://$work/au-target" \
    --data-dir "$work/au-data" --set autoupload.source.folder.stable-for=0s)
  awk -v name="$name" -v cp="$cp_s" -v au="$au_s" -v bytes="$bytes" 'BEGIN {
    printf "%-22s cp %7.2fs %8.1f MB/s | autoupload %7.2fs %8.1f MB/s | autoupload/cp time %5.2fx\n",
      name, cp, bytes / cp / 1e6, au, bytes / au / 1e6, au / cp }'
}

echo "making $small_count x 256 KiB files and one $big_mib MiB file in $work ..." >&2
make_files
# run --once again on the library just backed up (issue 14: at most 1.5 s for 2,000 files, process
# start and stop included): 5 runs, the median. Uses the data dir and target run_case left.
rerun_case() { # source dir
  local source="$1" times=() median
  for _ in 1 2 3 4 5; do
    times+=("$(seconds "$root/autoupload" run --once --source "$source" --target "file://$work/au-target" \
      --data-dir "$work/au-data" --http off --set autoupload.source.folder.stable-for=0s)")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
  printf '%-22s autoupload run --once again, median of 5: %.2fs (%s) | target 1.50s\n' \
    "$small_count backed up" "$median" "${times[*]}"
}

echo "(autoupload times include JVM start-up, sha256 of every byte, fsync and journal writes)"
run_case "$small_count x 256 KiB" "$work/small"
rerun_case "$work/small"
run_case "1 x $big_mib MiB" "$work/big"
