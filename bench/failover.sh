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
# shellcheck source=bench/lib/lab-main.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/lab-main.sh"
baton_run_lab_main bench/failover.sh dev.baton.bench.lab.FailoverBenchmark "$@"
