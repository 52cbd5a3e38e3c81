# Sourced by bin/baton, bin/test and .ci/run: finds JDK 25 and installs the Debian packages Baton's lab needs.
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25*; do
    if [ -x "$candidate/bin/java" ]; then JAVA_HOME=$candidate; break; fi
  done
fi
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ]; then
  echo "baton: JDK 25 not found under /usr/lib/jvm; set JAVA_HOME to a JDK 25" >&2
  exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# The data plane allocates nothing per packet, but the HA agent and the control socket do, a little: ZGC keeps every
# pause under a millisecond, where the serial collector's young collections took 43 to 105 ms on the 2-vCPU lab
# machine, past t2 (60 ms): an active router left its VIP for a pause of its own (docs/operations.md).
# ExitOnOutOfMemoryError: a router out of memory exits (status 3) instead of running on with dead threads; a
# thread that dies of any other Error halts it with status 70 (docs/operations.md, "Thread death").
BATON_JVM_OPTS=${BATON_JVM_OPTS:---enable-native-access=ALL-UNNAMED -XX:+UseZGC -Xms256m -Xmx1g -XX:+AlwaysPreTouch -XX:+ExitOnOutOfMemoryError}

# Debian packages for the lab: iproute2 (ip), nftables (nft), nginx, openssl (its HTTPS certificate), iperf3, curl, python3, tcpdump,
# arping, iputils-ping, netsniff-ng (trafgen, for benchmarks), ethtool, procps (sysctl),
# gcc + linux-libc-dev (the struct layout tests compile a C probe against the kernel headers),
# clang + libbpf-dev (the build compiles the XDP program for the bpf target), libbpf1 (the router loads it),
# systemd (systemd-analyze verifies contrib/systemd/baton.service; it need not run as PID 1),
# prometheus (MetricsLabTest: a real Prometheus server scrapes a lab router's /metrics),
# chromium (headless: the status page's lab test),
# binutils (bin/package strips the runtime), adduser (the package's postinst) and lintian (DebianPackageLabTest).
BATON_PACKAGES="iproute2 nftables nginx-light openssl iperf3 curl python3 tcpdump arping iputils-ping netsniff-ng ethtool procps gcc libc6-dev linux-libc-dev clang libbpf-dev libbpf1 systemd prometheus chromium binutils adduser lintian"

baton_install_packages() {
  local missing=()
  for p in $BATON_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "baton: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
      return 0
    fi
    echo "baton: installing ${missing[*]} ..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
}
