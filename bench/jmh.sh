#!/usr/bin/env bash
# Builds baton-bench/target/benchmarks.jar and runs Baton's JMH micro-benchmarks (package
# dev.baton.bench.jmh; figures in docs/benchmarks.md, JMH section).
#
#   bench/jmh.sh                        table memory report, then every benchmark of the package
#   bench/jmh.sh REGEX [JMH options]    only the benchmarks matching REGEX, e.g.
#                                       bench/jmh.sh ForwardingBenchmark -prof gc
#
# Settings are short, for a 2-vCPU machine: one fork, 3 warm-up and 5 measured iterations of 2 s.
# Later JMH options override them (JMH keeps the last value given). The forked JVMs' arguments
# (--enable-native-access=ALL-UNNAMED, -Xmx16g for the 10M-entry tables) are in each class's @Fork;
# passing -jvmArgs would replace them.
#
# Environment: JAVA_HOME (default: Temurin 25), BATON_JMH_SKIP_BUILD=1 to reuse the jar,
# BATON_MVN_FLAGS for extra Maven flags (e.g. -o when offline).
# Takes about 5 minutes; run it on a quiet machine, nothing else heavy at the same time.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java="$JAVA_HOME/bin/java"
jar="$root/baton-bench/target/benchmarks.jar"

if [[ "${BATON_JMH_SKIP_BUILD:-0}" != 1 ]]; then
  # shellcheck disable=SC2086 # BATON_MVN_FLAGS is a list of flags
  (cd "$root" && ./mvnw -q -B ${BATON_MVN_FLAGS:-} -pl baton-bench -am package -DskipTests)
fi

settings=(-f 1 -wi 3 -i 5 -w 2s -r 2s)

echo "# $(uname -r), $(nproc) CPUs, $("$java" -version 2>&1 | head -n 1), load: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ $# -eq 0 ]]; then
  echo "== Connection table, memory per entry (10M entries)"
  "$java" -Xmx16g -XX:NativeMemoryTracking=summary --enable-native-access=ALL-UNNAMED \
    -cp "$jar" dev.baton.bench.jmh.TableMemoryReport
  echo "== JMH"
  exec "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" "${settings[@]}" 'dev\.baton\.bench\.jmh\.'
fi
exec "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" "${settings[@]}" "$@"
