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
work="$(mktemp -d "${TMPDIR:-/tmp}/autoupload-activity-lag.XXXXXX")"
trap 'rm -rf "$work"' EXIT

cd "$root"
# shellcheck disable=SC2086
mvn -B -q ${MVN_OPTS_BENCH:-} -pl adapters/targets -am package -DskipTests -Dmaven.javadoc.skip \
  dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$work/classpath" >&2
classpath="$root/adapters/targets/target/autoupload-targets-0.1.0-SNAPSHOT.jar:$(cat "$work/classpath")"
mkdir -p "$work/classes"
javac -d "$work/classes" -cp "$classpath" "$root/bench/java/ActivityLagBench.java"
cat >"$work/classes/logback.xml" <<'XML'
<configuration>
  <appender name="err" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="err"/></root>
</configuration>
XML
echo "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -cp "$work/classes:$classpath" ActivityLagBench "$burst" "$singles" "$work"
