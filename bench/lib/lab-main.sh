# shellcheck shell=bash
# Shared by bench/lab.sh, bench/failover.sh and bench/syn-rate.sh: runs a lab benchmark's main class. Root check and the lab's
# Debian packages (unless --help is among the arguments), build of baton-bench and what it needs, then the main
# with this module's classes and baton-control's self-contained jar on the class path (the lab starts each
# `baton run` with this same class path). Extra Maven flags (e.g. -o) go in MAVEN_FLAGS.
#
#   baton_run_lab_main SCRIPT-NAME MAIN-CLASS ARGUMENTS...
baton_run_lab_main() {
  local name=$1 main=$2
  shift 2
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  # shellcheck source=bin/env.sh
  . "$root/bin/env.sh"
  local help=false arg
  for arg in "$@"; do
    case "$arg" in --help|-h) help=true ;; esac
  done
  if ! $help; then
    if [ "$(id -u)" != 0 ]; then
      echo "$name: run as root (network namespaces, nftables, packet sockets)" >&2
      exit 2
    fi
    baton_install_packages
  fi
  echo "$name: building baton-bench and its dependencies ..." >&2
  # shellcheck disable=SC2086 # MAVEN_FLAGS is a list of flags
  (cd "$root" && ./mvnw -q -B ${MAVEN_FLAGS:-} -DskipTests -pl baton-bench -am package) >&2
  local classpath="$root/baton-bench/target/classes:$root/baton-control/target/baton.jar" entry
  for entry in "$root/baton-bench/target/classes" "$root/baton-control/target/baton.jar"; do
    [ -e "$entry" ] || { echo "$name: $entry is missing after the build" >&2; exit 1; }
  done
  # BENCH_JAVA_OPTS: system properties for the lab, e.g. -Dbaton.lab.aot.cache=FILE (every router from an AOT cache).
  # shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
  # The routers run from baton.jar alone: a class path of jars is what the JVM's AOT cache needs (docs/operations.md).
  exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xmx256m \
    -Dbaton.lab.router.classpath="$root/baton-control/target/baton.jar" ${BENCH_JAVA_OPTS:-} -cp "$classpath" "$main" "$@"
}
