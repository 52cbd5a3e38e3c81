#!/usr/bin/env bash
# The lab benchmark: Baton against Linux kernel forwarding, in one run, on the same lab path
# (docs/benchmarks.md, "Lab benchmarks"). Root only: it builds network namespaces (TEST-NET addresses only)
# and removes them when it ends, fails or is interrupted.
#
#   bench/lab.sh                       3 repetitions, 10 s UDP windows, 5 s TCP runs (about 3 minutes)
#   bench/lab.sh --repetitions 1       a quick look
#   bench/lab.sh --help                every option
#
# Extra Maven flags (e.g. -o for offline) go in MAVEN_FLAGS.
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
    echo "bench/lab.sh: run as root (network namespaces, nftables, packet sockets)" >&2
    exit 2
  fi
  # trafgen (netsniff-ng), iperf3, nft, ethtool, ...: installed when missing.
  baton_install_packages
fi

echo "bench/lab.sh: building baton-bench and its dependencies ..." >&2
# shellcheck disable=SC2086
(cd "$root" && ./mvnw -q -B ${MAVEN_FLAGS:-} -DskipTests -pl baton-bench -am package) >&2

# The class path: this module's classes and baton-control's self-contained jar (built by the same package run,
# it holds Baton and every library it needs). LabRouter starts `baton run` with this same class path.
classpath="$root/baton-bench/target/classes:$root/baton-control/target/baton.jar"
for entry in "$root/baton-bench/target/classes" "$root/baton-control/target/baton.jar"; do
  [ -e "$entry" ] || { echo "bench/lab.sh: $entry is missing after the build" >&2; exit 1; }
done

exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmx256m \
  -cp "$classpath" dev.baton.bench.lab.LabForwardingBenchmark "$@"
