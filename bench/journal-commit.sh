#!/usr/bin/env bash
# What one commit of the embedded H2 journal costs, in bytes written and time: a file's three
# events written through the engine's journal store, each its own commit as most are in a run of
# small files, with one index on ordering (as migrated) and with the second one of before
# migration 12; and H2's smallest commit, for the fixed part (bench/java/JournalCommitBench.java).
#   bench/journal-commit.sh        # 2,000 files' events, two rounds (about half a minute)
#   bench/journal-commit.sh N      # N files' events
# JAVA_OPTS passes JVM options (the launcher's JIT: -XX:TieredStopAtLevel=1 comes close);
# MVN_OPTS_BENCH passes Maven options (e.g. -o -Dmaven.repo.local=...).
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
files="${1:-2000}"

# shellcheck source=java-bench.sh
source "$root/bench/java-bench.sh"
bench_work journal-commit
compile_bench "$root" "$work" bench/java/JournalCommitBench.java
run_bench JournalCommitBench "$files" "$work"
