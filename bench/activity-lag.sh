#!/usr/bin/env bash
# How long after an upload's event the Activity view lists it: a burst of files, then single
# files added to an idle engine (bench/java/ActivityLagBench.java). Figures go to stdout.
#   bench/activity-lag.sh            # a burst of 200 files, then 3 single files (about 2 minutes)
#   bench/activity-lag.sh N S        # a burst of N, then S single files
# MVN_OPTS_BENCH passes Maven options (e.g. -o -Dmaven.repo.local=...).
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
burst="${1:-200}"
singles="${2:-3}"

# shellcheck source=java-bench.sh
source "$root/bench/java-bench.sh"
bench_work activity-lag
compile_bench "$root" "$work" bench/java/ActivityLagBench.java
run_bench ActivityLagBench "$burst" "$singles" "$work"
