#!/usr/bin/env bash
# The lab benchmark: the kernel's IP forwarding, Baton on AF_PACKET and Baton's XDP fast path, in one run, on
# the same lab path (docs/benchmarks.md, "Lab benchmark"). Root only: it builds network namespaces (TEST-NET
# addresses only) and removes them when it ends, fails or is interrupted.
#
#   bench/lab.sh                       3 repetitions of kernel, af-packet, xdp: 10 s UDP windows, 2 x 5 s TCP
#                                      runs each (about 5 minutes)
#   bench/lab.sh --repetitions 1       a quick look
#   bench/lab.sh --help                every option
#
# Extra Maven flags (e.g. -o for offline) go in MAVEN_FLAGS.
set -euo pipefail
# shellcheck source=bench/lib/lab-main.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/lab-main.sh"
baton_run_lab_main bench/lab.sh dev.baton.bench.lab.LabForwardingBenchmark "$@"
