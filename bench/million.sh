#!/usr/bin/env bash
# A library of a million synthetic assets on a real engine (H2 journal, local-folder target):
# time to the first plan, heap after a full GC, the ledger's snapshot in the journal, and a
# restart's time to its first byte (bench/java/MillionBench.java says how each is measured).
#   bench/million.sh              # 1,000,000 assets, 1500 more uploaded after the seeded ledger
#   bench/million.sh 100000       # a quick run
#   bench/million.sh N K          # K new assets uploaded on top of the N seeded
# JAVA_OPTS passes JVM options (e.g. -Xmx512m, or -XX:StartFlightRecording=filename=x.jfr);
# MVN_OPTS_BENCH Maven options (e.g. -o -Dmaven.repo.local=...). Figures go to stdout.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
n="${1:-1000000}"
k="${2:-1500}"

# shellcheck source=java-bench.sh
source "$root/bench/java-bench.sh"
bench_work million
compile_bench "$root" "$work" bench/java/MillionBench.java
run_bench MillionBench "$n" "$k" "$work" "${PHASES:-plan,seed,more,restart}"
