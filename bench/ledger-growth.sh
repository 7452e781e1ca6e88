#!/usr/bin/env bash
# A supervisor's ledger recording a million backups one after another, as a first backup of a
# million assets in one run does (bench/java/LedgerGrowthBench.java): time, slowest record, heap
# after a full GC. Figures go to stdout.
#   bench/ledger-growth.sh           # 1,000,000 records (about 15 s)
#   bench/ledger-growth.sh N         # N records
# JAVA_OPTS passes JVM options (the default: the serial collector, as the launcher's);
# MVN_OPTS_BENCH Maven options (e.g. -o).
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
n="${1:-1000000}"

# shellcheck source=java-bench.sh
source "$root/bench/java-bench.sh"
bench_work ledger-growth
compile_bench "$root" "$work" bench/java/LedgerGrowthBench.java
JAVA_OPTS="${JAVA_OPTS:--XX:+UseSerialGC}" run_bench dev.autoupload.engine.internal.library.LedgerGrowthBench "$n"
