#!/usr/bin/env bash
# How long an embedded engine's start() and close() take as the host app sees them, each in a
# fresh JVM (bench/java/EngineStartBench.java): without and with a class-data archive of the app's
# classes (made as the README's "Embedding" says: one run with -XX:ArchiveClassesAtExit), on a new
# data dir and on one that already holds a journal. Figures go to stdout.
#   bench/engine-start.sh        # 5 starts of each kind (about a minute)
#   bench/engine-start.sh N      # N of each
# MVN_OPTS_BENCH passes Maven options (e.g. -o -Dmaven.repo.local=...).
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
runs="${1:-5}"

# shellcheck source=java-bench.sh
source "$root/bench/java-bench.sh"
bench_work engine-start
compile_bench "$root" "$work" bench/java/EngineStartBench.java
# A class-data archive takes jar files only, not a folder of classes.
(cd "$work/classes" && jar cf "$work/bench.jar" .)
cp="$work/bench.jar:$classpath"
java -XX:ArchiveClassesAtExit="$work/app.jsa" -cp "$cp" EngineStartBench "$work/training" >/dev/null 2>&1

# start_times ARCHIVE-OPTION DATA-DIR-KIND: one line "start min/median/max, close min/median/max"
start_times() {
  local option="$1" kind="$2" starts=() closes=() line
  for ((i = 0; i < runs; i++)); do
    local dir="$work/data-$kind"
    [[ "$kind" == new ]] && rm -rf "$dir"
    # shellcheck disable=SC2086
    line="$(java $option -cp "$cp" EngineStartBench "$dir" 2>/dev/null | tail -n 1)"
    starts+=("$(awk '{print $2}' <<<"$line")")
    closes+=("$(awk '{print $4}' <<<"$line")")
  done
  printf '%s ms | %s ms' "$(spread "${starts[@]}")" "$(spread "${closes[@]}")"
}

spread() {
  printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {printf "%d / %d / %d", v[1], v[int((NR + 1) / 2)], v[NR]}'
}

# A journal for the "existing" runs.
java -cp "$cp" EngineStartBench "$work/data-existing" >/dev/null 2>&1

echo "\`bench/engine-start.sh $runs\`, $(date -u +%F), $(nproc) cores, load before $(cut -d' ' -f1-3 /proc/loadavg); $runs fresh JVMs each, min / median / max:"
echo
echo "| JVM | data dir | \`start()\` | \`close()\` |"
echo "| --- | --- | --- | --- |"
echo "| no class-data archive | new | $(start_times "" new) |"
echo "| no class-data archive | with a journal | $(start_times "" existing) |"
echo "| the app's class-data archive | new | $(start_times "-XX:SharedArchiveFile=$work/app.jsa" new) |"
echo "| the app's class-data archive | with a journal | $(start_times "-XX:SharedArchiveFile=$work/app.jsa" existing) |"
