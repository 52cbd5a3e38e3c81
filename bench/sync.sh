#!/usr/bin/env bash
# The synchronization benchmark (docs/benchmarks.md, "Synchronization"): an active and a standby table on two
# threads joined by the real peer transport over loopback UDP (127.0.0.1, 127.0.0.2), HMAC on every datagram.
# Reports the time to dump N entries to a new standby, bytes per entry, and sustained updates per second.
#
#   bench/sync.sh                    1,000,000 entries, 5 s of updates
#   bench/sync.sh 100000 2           a quick look
#
# Extra Maven flags (e.g. -o for offline) go in MAVEN_FLAGS. Run it on a quiet machine.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bin/env.sh
. "$root/bin/env.sh"
echo "bench/sync.sh: building baton-bench and its dependencies ..." >&2
# shellcheck disable=SC2086
(cd "$root" && ./mvnw -q -B ${MAVEN_FLAGS:-} -DskipTests -pl baton-bench -am package) >&2
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx4g -XX:+UseParallelGC \
  -cp "$root/baton-bench/target/classes:$root/baton-control/target/baton.jar" dev.baton.bench.ha.SyncBenchmark "$@"
