#!/usr/bin/env bash
# Whether a change saves CPU: backs up the same small files to a local folder with two variants of
# the app, alternating A and B for some rounds (fresh target and data dir each run, process start
# included), and prints each run's wall time and CPU, the medians, and in how many rounds B used
# less CPU than A, with the chance that a coin would do as well. On a shared two-core machine
# single runs of the same build swing by 10-15 %, so one pair of runs proves nothing either way.
#   bench/ab.sh [rounds] [files]    # defaults: 6 rounds, 2000 files of 256 KiB
# The variants, from the environment (each defaults to this checkout as it is):
#   A_JAVA_OPTS, B_JAVA_OPTS   JVM options (AUTOUPLOAD_JAVA_OPTS; they come after the launcher's)
#   A_ARGS, B_ARGS             more arguments to `run`, e.g. "--set autoupload.upload.parallelism=8"
#   A_LAUNCHER, B_LAUNCHER     another checkout's autoupload launcher, to compare two builds
# Example: B_JAVA_OPTS=-XX:+UseG1GC bench/ab.sh 8
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
rounds="${1:-6}"
files="${2:-2000}"
work="$(mktemp -d "${TMPDIR:-/tmp}/autoupload-ab.XXXXXX")"
trap 'rm -rf "$work"' EXIT
command -v /usr/bin/time >/dev/null || { echo "ab.sh needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

launcher_a="${A_LAUNCHER:-$root/autoupload}"
launcher_b="${B_LAUNCHER:-$root/autoupload}"
# Builds each launcher's jar (and class-data archive) if needed, outside the timings, and not
# again inside them, whatever is edited meanwhile.
"$launcher_a" version >/dev/null
"$launcher_b" version >/dev/null
export AUTOUPLOAD_NO_BUILD=1

mkdir -p "$work/source"
for ((i = 0; i < files; i++)); do
  head -c 262144 /dev/urandom >"$work/source/IMG_$(printf %05d "$i").JPG"
done

# run_variant LAUNCHER JAVA_OPTS ARGS: one backup of the files; prints "wall user sys" in seconds.
run_variant() {
  local launcher="$1" java_opts="$2" args="$3"
  rm -rf "$work/target" "$work/data"
  # shellcheck disable=SC2086
  AUTOUPLOAD_JAVA_OPTS="$java_opts" /usr/bin/time -o "$work/time" -f "%e %U %S" "$launcher" run --once \
    --source "$work/source" --target "file://$work/target" --data-dir "$work/data" --http off \
    --set autoupload.source.folder.stable-for=0s $args >/dev/null 2>"$work/stderr" \
    || { echo "a run failed:" >&2; tail -n 5 "$work/stderr" >&2; exit 1; }
  local uploaded
  uploaded="$(find "$work/target" -type f | wc -l)"
  if ((uploaded != files)); then
    echo "a run backed up $uploaded of $files files" >&2
    exit 1
  fi
  cat "$work/time"
}

echo "\`bench/ab.sh $rounds $files\`, $(date -u +%F), $(nproc) cores, load before $(cut -d' ' -f1-3 /proc/loadavg)"
echo "A: ${A_LAUNCHER:-this checkout} ${A_JAVA_OPTS:-} ${A_ARGS:-}"
echo "B: ${B_LAUNCHER:-this checkout} ${B_JAVA_OPTS:-} ${B_ARGS:-}"
echo
echo "| round | A wall s | A user + sys s | B wall s | B user + sys s |"
echo "| --- | --- | --- | --- | --- |"
: >"$work/results"
for ((r = 1; r <= rounds; r++)); do
  # The order alternates too, so that neither variant always runs on the other's warm caches.
  if ((r % 2)); then
    a="$(run_variant "$launcher_a" "${A_JAVA_OPTS:-}" "${A_ARGS:-}")"
    b="$(run_variant "$launcher_b" "${B_JAVA_OPTS:-}" "${B_ARGS:-}")"
  else
    b="$(run_variant "$launcher_b" "${B_JAVA_OPTS:-}" "${B_ARGS:-}")"
    a="$(run_variant "$launcher_a" "${A_JAVA_OPTS:-}" "${A_ARGS:-}")"
  fi
  echo "$a $b" >>"$work/results"
  awk -v r="$r" '{ printf "| %d | %.2f | %.2f | %.2f | %.2f |\n", r, $1, $2 + $3, $4, $5 + $6 }' <<<"$a $b"
done
echo
awk -v files="$files" '
  function median(v, n,   i, j, t) {
    for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  {
    n++; aw[n] = $1; ac[n] = $2 + $3; bw[n] = $4; bc[n] = $5 + $6
    if ($5 + $6 < $2 + $3) wins++
  }
  END {
    ma = median(ac, n); mb = median(bc, n)
    printf "medians: A %.2f s wall, %.2f CPU s (%.1f ms a file); B %.2f s wall, %.2f CPU s (%.1f ms a file); B/A CPU %.3f\n",
      median(aw, n), ma, 1000 * ma / files, median(bw, n), mb, 1000 * mb / files, mb / ma
    # One-sided sign test: the chance of at least this many rounds won if A and B were the same.
    p = 0; for (k = wins; k <= n; k++) { c = 1; for (i = 1; i <= k; i++) c = c * (n - i + 1) / i; p += c / 2 ^ n }
    printf "B used less CPU than A in %d of %d rounds; a coin does at least as well with probability %.3f\n", wins, n, p
  }' "$work/results"
