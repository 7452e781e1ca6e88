# Sourced by the bench scripts that run a Java main on the engine (million.sh, activity-lag.sh,
# journal-commit.sh, engine-start.sh):
#   bench_work some-name                                  # a fresh "$work", removed on exit
#   compile_bench "$root" "$work" bench/java/SomeBench.java
#   run_bench SomeBench args...                           # the machine's line, then the main
# MVN_OPTS_BENCH passes Maven options (e.g. -o -Dmaven.repo.local=...), JAVA_OPTS JVM options.

# bench_work NAME: sets "work" to a new folder under TMPDIR, removed when the script exits.
bench_work() {
  work="$(mktemp -d "${TMPDIR:-/tmp}/autoupload-$1.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
}

# compile_bench ROOT WORK MAIN: builds the engine and targets, compiles MAIN against their runtime
# class path into "$work/classes" with a quiet logback.xml, and sets "classpath" to run it with.
compile_bench() {
  local root="$1" work="$2" main="$3"
  # shellcheck disable=SC2086
  (cd "$root" && mvn -B -q ${MVN_OPTS_BENCH:-} -pl adapters/targets -am package -DskipTests -Dmaven.javadoc.skip \
    dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$work/classpath") >&2
  classpath="$root/adapters/targets/target/autoupload-targets-0.1.0-SNAPSHOT.jar:$(cat "$work/classpath")"
  mkdir -p "$work/classes"
  javac -d "$work/classes" -cp "$classpath" "$root/$main"
  cat >"$work/classes/logback.xml" <<'XML'
<configuration>
  <appender name="err" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="err"/></root>
</configuration>
XML
}

# run_bench MAIN ARGS...: prints the machine (cores, memory, load) and runs the compiled MAIN
# with JAVA_OPTS.
run_bench() {
  echo "$(nproc) cores, $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:-} -cp "$work/classes:$classpath" "$@"
}
