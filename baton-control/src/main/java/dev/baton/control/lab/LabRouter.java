package dev.baton.control.lab;

import dev.baton.control.socket.ControlClient;
import dev.baton.lab.Lab;
import dev.baton.lab.LabProcess;
import dev.baton.lab.RouterHost;
import dev.baton.lab.ServerHost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real {@code baton run} process in a lab router's namespace, for the demo, the acceptance tests and the
 * lab benchmarks. It runs the same JVM and class path as the caller, so tests exercise exactly the code
 * they were built with. The control socket is a path in the file system, reachable from every namespace.
 */
public final class LabRouter implements AutoCloseable {

    private final Path config;
    private final Path socket;
    private final LabProcess process;

    private LabRouter(Path config, Path socket, LabProcess process) {
        this.config = config;
        this.socket = socket;
        this.process = process;
    }

    /**
     * A service of a lab router's configuration, on the lab's first VIP, over every lab server.
     *
     * @param scheduler   {@code wrr} or {@code wlc}
     * @param persistence a YAML duration: {@code 0s} for none
     * @param weights     per lab server, in order; empty for weight 1 each
     */
    public record Service(String name, String protocol, List<Integer> ports, String scheduler, String persistence, List<Integer> weights) {

        /** HTTP on port 80, round robin, no persistence, equal weights. */
        public static Service web() {
            return new Service("web", "tcp", List.of(80), "wrr", "0s", List.of());
        }
    }

    /** A configuration for {@code router} in {@code lab} serving {@code services} with one worker. */
    public static String config(Lab lab, RouterHost router, Path socket, List<Service> services) {
        return config(lab, router, socket, services, 1);
    }

    /** Small TPACKET_V3 rings: the lab runs several routers on a 2-core machine. */
    public static final String LAB_RING = "{ block-size: 1MiB, block-count: 8, block-timeout: 1ms, tx-frame-size: 65664, tx-frame-count: 128 }";

    /** A configuration for {@code router} in {@code lab} serving {@code services} with {@code workers} workers. */
    public static String config(Lab lab, RouterHost router, Path socket, List<Service> services, int workers) {
        return config(lab, router, socket, services, workers, LAB_RING);
    }

    /**
     * A configuration for {@code router} in {@code lab} serving {@code services} with {@code workers} workers
     * and the given {@code router.ring} (a YAML flow mapping).
     */
    public static String config(Lab lab, RouterHost router, Path socket, List<Service> services, int workers, String ring) {
        StringBuilder yaml = new StringBuilder();
        yaml.append("router:\n  id: ").append(lab.prefix()).append('-').append(router.name()).append('\n')
                .append("  control-socket: ").append(socket).append('\n')
                .append("  workers: ").append(workers).append('\n')
                .append("  ring: ").append(ring).append('\n');
        yaml.append("interfaces:\n");
        if (router.clientInterface().equals(router.serverInterface())) {
            yaml.append("  - { name: ").append(router.clientInterface()).append(", role: both, address: ").append(router.clientAddress()).append(" }\n");
        } else {
            yaml.append("  - { name: ").append(router.clientInterface()).append(", role: client, address: ").append(router.clientAddress()).append(" }\n");
            yaml.append("  - { name: ").append(router.serverInterface()).append(", role: server, address: ").append(router.serverAddress()).append(" }\n");
        }
        yaml.append("table: { capacity: 100000 }\n");
        yaml.append("neighbours: { refresh: 5s, retry: 200ms, stale-after: 20s }\n");
        yaml.append("services:\n");
        List<ServerHost> servers = lab.servers();
        for (Service service : services) {
            yaml.append("  - name: ").append(service.name()).append('\n')
                    .append("    vip: ").append(lab.vips().getFirst()).append('\n')
                    .append("    protocol: ").append(service.protocol()).append('\n')
                    .append("    ports: ").append(service.ports()).append('\n')
                    .append("    scheduler: ").append(service.scheduler()).append('\n')
                    .append("    persistence: ").append(service.persistence()).append('\n')
                    .append("    servers:\n");
            for (int i = 0; i < servers.size(); i++) {
                int weight = service.weights().isEmpty() ? 1 : service.weights().get(i);
                yaml.append("      - { address: ").append(servers.get(i).address()).append(", weight: ").append(weight).append(" }\n");
            }
        }
        return yaml.toString();
    }

    /** Writes {@code yaml} to the lab's work directory and starts {@code baton run} in {@code router}'s namespace. */
    public static LabRouter start(Lab lab, RouterHost router, String yaml, Path socket) throws IOException {
        Path dir = lab.workDirectory().resolve(router.name());
        Files.createDirectories(dir);
        Path config = dir.resolve("baton.yaml");
        Files.writeString(config, yaml);
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("dev.baton.control.cli.Baton");
        command.add("run");
        command.add("--config");
        command.add(config.toString());
        LabProcess process = router.spawn(command, dir.resolve("baton.log"));
        LabRouter labRouter = new LabRouter(config, socket, process);
        try {
            labRouter.awaitReady(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            labRouter.close();
            throw e;
        }
        return labRouter;
    }

    /** Waits until the control socket answers. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("baton run exited early; its log:\n" + process.output());
            }
            if (Files.exists(socket)) {
                try {
                    ControlClient.call(socket, "status", Map.of());
                    return;
                } catch (ControlClient.ControlException e) {
                    last = e;
                }
            }
            pause(50);
        }
        throw new IllegalStateException("baton run did not answer on " + socket + " within " + timeout
                + (last == null ? "" : " (" + last.getMessage() + ")") + "; its log:\n" + process.output());
    }

    /** Waits until every server of every service has a resolved MAC address. */
    @SuppressWarnings("unchecked")
    public void awaitServersResolved(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Object> stats = (Map<String, Object>) ctl("stats", Map.of());
            boolean all = true;
            for (Object service : (List<Object>) stats.get("services")) {
                for (Object server : (List<Object>) ((Map<String, Object>) service).get("servers")) {
                    all &= Boolean.TRUE.equals(((Map<String, Object>) server).get("resolved"));
                }
            }
            if (all) {
                return;
            }
            pause(50);
        }
        throw new IllegalStateException("servers not resolved within " + timeout + "; stats: " + ctl("stats", Map.of()));
    }

    /** One control-socket command. */
    public Object ctl(String command, Map<String, Object> args) {
        return ControlClient.call(socket, command, args);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> stats() {
        return (Map<String, Object>) ctl("stats", Map.of());
    }

    public Path socket() {
        return socket;
    }

    public Path configFile() {
        return config;
    }

    public LabProcess process() {
        return process;
    }

    public String log() {
        return process.output();
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Stops the router with SIGTERM (it removes its nftables table and socket), then SIGKILL after 5 s. */
    @Override
    public void close() {
        process.stop(Duration.ofSeconds(5));
    }
}
