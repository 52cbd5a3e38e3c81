#!/usr/bin/env bash
# The probe cost benchmark (docs/benchmarks.md, "Probes"): N TCP health checks and N ICMP echo elements, every
# interval, on one probe thread in a namespace pair of its own (198.51.100.0/24, removed at the end), through the
# interface's probe rings with the host guard's rules as on a router (-Dprobes.path=sockets for kernel sockets,
# in JAVA_OPTS). Reports the router CPU's busy time with the probes less without them, the probe thread's CPU,
# and its allocation per probe. Needs root; takes about 70 s (a 30 s warm-up for the JIT).
#
#   bench/probes.sh                  1,000 + 1,000 targets, every 1 s, 20 s measured
#   bench/probes.sh 200 5            a quick look
#
# Extra Maven flags (e.g. -o for offline) go in MAVEN_FLAGS. Run it on a quiet machine.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bin/env.sh
. "$root/bin/env.sh"
echo "bench/probes.sh: building baton-bench and its dependencies ..." >&2
# shellcheck disable=SC2086
(cd "$root" && ./mvnw -q -B ${MAVEN_FLAGS:-} -DskipTests -pl baton-bench -am package) >&2
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" ${JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -Xmx1g \
  -cp "$root/baton-bench/target/classes:$root/baton-control/target/baton.jar" dev.baton.bench.health.ProbeCostBenchmark "$@"
