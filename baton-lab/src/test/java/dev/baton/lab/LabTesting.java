package dev.baton.lab;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** Checks the lab tests share: what exists on the machine with a given prefix. */
final class LabTesting {

    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);

    private LabTesting() {
    }

    /** Named network namespaces whose name starts with {@code prefix}. */
    static List<String> namespacesWithPrefix(String prefix) {
        return Netns.list().stream().filter(name -> name.startsWith(prefix)).toList();
    }

    /** Interfaces of the root namespace (the test JVM's) whose name starts with {@code prefix}. */
    static List<String> rootLinksWithPrefix(String prefix) {
        String links = Commands.runChecked(List.of(Tool.IP.require(), "-o", "link", "show")).stdout();
        return Arrays.stream(links.split("\n"))
                .map(line -> line.split(":\\s+", 3))
                .filter(fields -> fields.length >= 2)
                .map(fields -> fields[1].split("@")[0])
                .filter(name -> name.startsWith(prefix))
                .toList();
    }

    /** Runs a command in {@code host} and fails with its output unless it succeeds. */
    static ExecResult run(Host host, String... command) {
        return host.exec(COMMAND_TIMEOUT, command).requireSuccess(List.of(command));
    }

    /** One ping, two seconds to answer. */
    static ExecResult ping(Host host, String address) {
        return host.exec(COMMAND_TIMEOUT, "ping", "-n", "-c", "1", "-W", "2", address);
    }

    /** {@code arping} from {@code host} out of {@code interfaceName}; true if anything answered. */
    static boolean arpingAnswered(Host host, String interfaceName, String address) {
        ExecResult result = host.exec(COMMAND_TIMEOUT, "arping", "-c", "2", "-w", "3", "-i", interfaceName, address);
        // arping (Habets) exits 0 when it got replies and 1 when none came
        if (result.exitCode() > 1 || result.timedOut()) {
            throw new AssertionError("arping failed: " + result);
        }
        return result.exitCode() == 0;
    }
}
