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
# shellcheck source=bench/lib/lab-main.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/lab-main.sh"
baton_run_lab_main bench/lab.sh dev.baton.bench.lab.LabForwardingBenchmark "$@"
