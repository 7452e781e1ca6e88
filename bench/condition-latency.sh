#!/usr/bin/env bash
# How long bytes keep reaching the target after Low Power Mode comes on, with four uploads sending
# at once to a local folder; the goal is p99 <= 200 ms. Prints p50/p90/p99/max in ms.
#   bench/condition-latency.sh [changes=100] [file-MiB=256] [bandwidth-limit=0 (none)]
# Needs about 2 x 4 x file-MiB of free space under ${TMPDIR:-/tmp}. Engine logs go to a file.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/autoupload-latency.XXXXXX")"
trap 'rm -rf "$work"' EXIT

mvn_build() { # offline first, like ./autoupload; online when a dependency is missing
  (cd "$root" && mvn -B -q -o "$@") 1>&2 || (cd "$root" && mvn -B -q "$@") 1>&2
}

echo "building ..." >&2
mvn_build -DskipTests install
mvn_build -pl it-tests dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath"

log="${TMPDIR:-/tmp}/autoupload-condition-latency.log"
echo "measuring (engine log: $log) ..." >&2
java -Xmx1g -cp "$root/it-tests/target/test-classes:$(cat "$work/classpath")" \
  dev.autoupload.it.conditions.ConditionLatencyBench "$@" 2>"$log"
