#!/usr/bin/env bash
# Compiles Baton's XDP program for the kernel's BPF virtual machine: build.sh SOURCE OUTPUT.
# Run by Maven (baton-xdp's exec step) in every build; needs Debian's clang and libbpf-dev (bpf/bpf_helpers.h).
set -euo pipefail
source=$1
output=$2
if ! command -v clang >/dev/null; then
  echo "baton-xdp: clang is needed to compile the XDP program (apt-get install clang libbpf-dev; bin/test installs it)" >&2
  exit 1
fi
if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
  echo "baton-xdp: libbpf's headers are needed (apt-get install libbpf-dev; bin/test installs them)" >&2
  exit 1
fi
mkdir -p "$(dirname "$output")"
# The asm/ headers live under the multiarch directory, which clang's bpf target does not search by itself.
clang -O2 -g -Wall -Wextra -Werror -target bpf -I"/usr/include/$(uname -m)-linux-gnu" -c "$source" -o "$output"
