package dev.baton.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Network namespace operations through iproute2's {@code ip netns} (ip-netns(8)): a named namespace is a bind
 * mount under /run/netns, so deleting the name does not free the namespace while a process still runs in it.
 * {@link #remove(String)} therefore ends every process inside first.
 */
final class Netns {

    private Netns() {
    }

    /** Names of every named network namespace on the machine. */
    static List<String> list() {
        ExecResult result = Commands.runChecked(List.of(Tool.IP.require(), "netns", "list"));
        List<String> names = new ArrayList<>();
        for (String line : result.stdout().split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty()) {
                // "name (id: 3)" when the namespace has an id assigned
                names.add(trimmed.split("\\s+", 2)[0]);
            }
        }
        return names;
    }

    static void add(String namespace) {
        Commands.runChecked(List.of(Tool.IP.require(), "netns", "add", namespace));
    }

    /** Runs {@code ip -n <namespace> <arguments...>} and throws if it fails. */
    static ExecResult ip(String namespace, String... arguments) {
        List<String> command = new ArrayList<>(List.of(Tool.IP.require(), "-n", namespace));
        command.addAll(List.of(arguments));
        return Commands.runChecked(command);
    }

    /** The command line that runs {@code command} inside {@code namespace} ({@code ip netns exec} execs it). */
    static List<String> execCommand(String namespace, List<String> command) {
        List<String> full = new ArrayList<>(List.of(Tool.IP.require(), "netns", "exec", namespace));
        full.addAll(command);
        return full;
    }

    /** Runs {@code command} inside {@code namespace} with a deadline. */
    static ExecResult exec(String namespace, Duration timeout, List<String> command) {
        return Commands.run(execCommand(namespace, command), timeout);
    }

    /** PIDs of every process whose network namespace is {@code namespace} (empty if it does not exist). */
    static List<ProcessHandle> processes(String namespace) {
        ExecResult result = Commands.run(List.of(Tool.IP.require(), "netns", "pids", namespace), Commands.SETUP_TIMEOUT);
        List<ProcessHandle> processes = new ArrayList<>();
        if (!result.succeeded()) {
            return processes;
        }
        for (String line : result.stdout().split("\\s+")) {
            if (!line.isBlank()) {
                ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(processes::add);
            }
        }
        return processes;
    }

    /**
     * Ends every process in the namespace (SIGTERM, then SIGKILL after {@code grace}) and deletes it. Deleting the
     * last reference destroys its interfaces; a veth pair goes with either end, so the bridges' ports go too.
     *
     * @return an error description, or empty when the namespace is gone (or was never there)
     */
    static Optional<String> remove(String namespace, Duration grace) {
        if (!list().contains(namespace)) {
            return Optional.empty();
        }
        Commands.terminate(processes(namespace), grace);
        List<String> command = List.of(Tool.IP.require(), "netns", "delete", namespace);
        ExecResult result = Commands.run(command, Commands.SETUP_TIMEOUT);
        if (!result.succeeded() && list().contains(namespace)) {
            return Optional.of("'" + String.join(" ", command) + "' failed: " + result.stderr().strip());
        }
        return Optional.empty();
    }
}
