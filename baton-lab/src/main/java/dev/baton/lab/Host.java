package dev.baton.lab;

import dev.baton.codec.Ipv4;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One network namespace of a lab: a client (this class), the {@link UpstreamHost}, a {@link RouterHost} or a
 * {@link ServerHost}. Commands run inside it with {@code ip netns exec}.
 */
public sealed class Host permits UpstreamHost, RouterHost, ServerHost {

    final Lab lab;
    final LabPlan.HostPlan plan;
    private final List<LabInterface> interfaces;

    Host(Lab lab, LabPlan.HostPlan plan, List<LabInterface> interfaces) {
        this.lab = lab;
        this.plan = plan;
        this.interfaces = List.copyOf(interfaces);
    }

    /** "up", "c0", "r1", "s2". */
    public String name() {
        return plan.name();
    }

    public HostRole role() {
        return plan.role();
    }

    /** Position among the hosts of the same role (0 for the upstream). */
    public int index() {
        return plan.index();
    }

    /** The network namespace, "{@code <prefix>-<name>}". */
    public String namespace() {
        return plan.namespace();
    }

    /** Its interfaces, client-facing first. */
    public List<LabInterface> interfaces() {
        return interfaces;
    }

    /** The first interface: the only one of a client or server, the client-facing one of routers and upstream. */
    public LabInterface primaryInterface() {
        return interfaces.getFirst();
    }

    public String interfaceName() {
        return primaryInterface().name();
    }

    /** The primary interface's address without prefix length, e.g. "203.0.113.10". */
    public String address() {
        return primaryInterface().ip();
    }

    /** {@link #address()} as an int. */
    public int addressAsInt() {
        return primaryInterface().ipAsInt();
    }

    /** The primary interface's Ethernet address. */
    public String mac() {
        return primaryInterface().mac();
    }

    /** The default route's next hop, if the host has one (clients and servers). */
    public Optional<String> gateway() {
        return plan.gateway() == 0 ? Optional.empty() : Optional.of(Ipv4.format(plan.gateway()));
    }

    /** The interface on {@code segment}, if the host has one there. */
    public Optional<LabInterface> interfaceOn(Segment segment) {
        return interfaces.stream().filter(anInterface -> anInterface.segment() == segment).findFirst();
    }

    /**
     * Runs a command inside this host's namespace and waits for it, at most {@code timeout}; on timeout it and its
     * descendants are killed and the result says {@link ExecResult#timedOut()}.
     */
    public ExecResult exec(Duration timeout, String... command) {
        return exec(timeout, List.of(command));
    }

    /** {@link #exec(Duration, String...)} with the command as a list. */
    public ExecResult exec(Duration timeout, List<String> command) {
        lab.requireOpen();
        return Netns.exec(namespace(), timeout, command);
    }

    /**
     * Starts a background process inside this host's namespace, standard output and error appended to
     * {@code logFile}, standard input from /dev/null. The lab stops it on {@link Lab#close()} if the caller has not.
     */
    public LabProcess spawn(List<String> command, Path logFile) {
        lab.requireOpen();
        try {
            Path parent = logFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            long logOffset = Files.exists(logFile) ? Files.size(logFile) : 0;
            Process process = new ProcessBuilder(Netns.execCommand(namespace(), command))
                    .redirectInput(ProcessBuilder.Redirect.from(Commands.DEV_NULL))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            LabProcess labProcess = new LabProcess(this, command, process, logFile, logOffset);
            lab.track(labProcess);
            return labProcess;
        } catch (IOException e) {
            throw new LabException("cannot start '" + String.join(" ", command) + "' in " + namespace() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return name() + " (" + namespace() + ", " + primaryInterface().address() + ")";
    }
}
