#!/usr/bin/env bash
# The failover benchmark (docs/benchmarks.md, "High availability: failover"): two real `baton run` routers as an
# HA pair under 200 long-lived echo connections; 20 kill -9 failovers (the pair alternates), then 5 operator
# switchovers. Reports the forwarding outage on the wire (tcpdump in the lab's switch namespace) and each
# connection's longest stall. Root only: it builds network namespaces (TEST-NET addresses only) and removes them
# when it ends, fails or is interrupted.
#
#   bench/failover.sh                    20 kills + 5 switchovers (about 6 minutes)
#   bench/failover.sh --rounds 2 --switchovers 1     a quick look
#   bench/failover.sh --help             every option
#
# Extra Maven flags (e.g. -o for offline) go in MAVEN_FLAGS. Run it on a quiet machine: stalls are wall-clock.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bin/env.sh
. "$root/bin/env.sh"

help=false
for arg in "$@"; do
  case "$arg" in --help|-h) help=true ;; esac
done

if ! $help; then
  if [ "$(id -u)" != 0 ]; then
    echo "bench/failover.sh: run as root (network namespaces, nftables, packet sockets, tcpdump)" >&2
    exit 2
  fi
  # python3 (the echo clients), tcpdump, iproute2, nftables, ...: installed when missing.
  baton_install_packages
fi

echo "bench/failover.sh: building baton-bench and its dependencies ..." >&2
# shellcheck disable=SC2086
(cd "$root" && ./mvnw -q -B ${MAVEN_FLAGS:-} -DskipTests -pl baton-bench -am package) >&2

# This module's classes and baton-control's self-contained jar (Baton and every library it needs, the lab's
# scripts included). HaLabPair starts each `baton run` with this same class path.
classpath="$root/baton-bench/target/classes:$root/baton-control/target/baton.jar"
for entry in "$root/baton-bench/target/classes" "$root/baton-control/target/baton.jar"; do
  [ -e "$entry" ] || { echo "bench/failover.sh: $entry is missing after the build" >&2; exit 1; }
done

exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmx256m \
  -cp "$classpath" dev.baton.bench.lab.FailoverBenchmark "$@"
