#!/usr/bin/env bash
# New connections per second through Baton's slow path: a generator of new TCP connections from many clients (a SYN,
# its ACK, and a segment 1.1 s later that makes the connection ESTABLISHED and, on the XDP path, puts it into the
# program's map), Baton on AF_PACKET rings and with its XDP program, on the lab benchmark's path
# (docs/benchmarks.md, "New connections per second through the slow path"). Root only: it builds network namespaces
# (TEST-NET addresses only) and removes them when it ends, fails or is interrupted.
#
#   bench/syn-rate.sh                       3 repetitions of af-packet and xdp, each under a flood and a paced load:
#                                           3 s warm-up + 10 s window each (about 4 minutes)
#   bench/syn-rate.sh --repetitions 1       a quick look
#   bench/syn-rate.sh --help                every option
#
# Extra Maven flags (e.g. -o for offline) go in MAVEN_FLAGS.
set -euo pipefail
# shellcheck source=bench/lib/lab-main.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/lab-main.sh"
baton_run_lab_main bench/syn-rate.sh dev.baton.bench.lab.SynRateBenchmark "$@"
