package dev.baton.bench.lab;

import dev.baton.codec.Ipv4;
import dev.baton.codec.MacAddress;
import dev.baton.lab.Host;
import dev.baton.lab.LabProcess;
import dev.baton.nativeio.PacketSocket;
import dev.baton.nativeio.PacketSocketOptions;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The SYN-rate benchmark's load, a JVM of its own: new TCP connections from many clients ({@link SynFrames}), each a
 * SYN, its handshake ACK and, 1.1 s later, a confirming segment ({@link SynLoad}), written into an AF_PACKET socket's
 * TX ring (the project's {@link PacketSocket}, transmit only, bypassing the qdisc as trafgen does) on the upstream's
 * front interface, addressed to the router. trafgen cannot remember a connection for a second; this can, in a bounded
 * ring.
 *
 * <p>Started by {@link #start} inside the upstream's namespace under {@code timeout(1)} and {@code taskset(1)} (every
 * thread of the JVM, its compiler and collector included, on the generator CPU), like {@link UdpGenerator}'s trafgen.
 * Bounded three times: by its connection count, by {@code --seconds} of opening plus the confirmation delay and 2 s
 * (then it exits with confirmations still due, state {@link SynGeneratorCounters#TIMED_OUT}), and by {@code
 * timeout(1)} should this JVM hang. Its counters go to a mapped file ({@link SynGeneratorCounters}).
 *
 * @param interfaceName  where to send
 * @param sourceMac      the interface's MAC
 * @param routerMac      the router's client-facing MAC
 * @param firstClient    the first client address (203.0.113.0/24)
 * @param clients        client addresses
 * @param firstPort      the first client port
 * @param vip            the VIP
 * @param vipPort        its port
 * @param maxConnections connections to open at most
 * @param ratePerSecond  new connections a second at most, 0 for as fast as it goes
 * @param confirmAfterMs the delay from a connection's ACK to its confirming segment
 * @param seconds        how long new connections are opened
 * @param counters       the counters file
 */
record SynGenerator(String interfaceName, long sourceMac, long routerMac, int firstClient, int clients, int firstPort,
                    int vip, int vipPort, long maxConnections, long ratePerSecond, long confirmAfterMs, int seconds,
                    Path counters) {

    /** The first client port: above the well-known and registered low range, like an ephemeral port. */
    static final int FIRST_PORT = 1024;
    /** Connections awaiting their confirmation at most: 1.1 s of 950,000 new connections a second, 16 MiB of heap. */
    static final int CONFIRM_RING_CAPACITY = 1 << 20;
    /** Frames of each kind per step. */
    static final int BATCH = 64;
    /** TX slots: 128 bytes hold the 48-byte TPACKET_V3 header and a 60-byte frame; 4,096 of them are 512 KiB. */
    static final int TX_SLOT_BYTES = 128;
    static final int TX_SLOTS = 4096;
    /** After opening, how much longer than the confirmation delay it may run to send what is due. */
    static final Duration DRAIN_MARGIN = Duration.ofSeconds(2);
    /** {@code timeout(1)}'s margin over the generator's own limit. */
    static final Duration TIMEOUT_MARGIN = Duration.ofSeconds(5);
    /**
     * The confirmation delay's bounds: more than Baton's second ({@code ConnectionTable.CONFIRM_AFTER_MS}), so that the
     * segment confirms however the router's receive ring delays the two segments; at most a few seconds.
     */
    static final long MIN_CONFIRM_AFTER_MS = 1_001;
    static final long MAX_CONFIRM_AFTER_MS = 5_000;

    SynGenerator {
        if (!interfaceName.matches("[0-9A-Za-z_.-]{1,15}")) {
            throw new IllegalArgumentException("not an interface name: '" + interfaceName + "'");
        }
        // Checks the address and port ranges.
        long distinct = new SynFrames(sourceMac, routerMac, firstClient, clients, firstPort, 65_536 - firstPort, vip, vipPort)
                .distinctConnections();
        if (maxConnections < 1 || maxConnections > distinct) {
            throw new IllegalArgumentException("--max-connections " + maxConnections + " outside 1.." + distinct + " ("
                    + clients + " client addresses x " + (65_536 - firstPort) + " ports)");
        }
        if (ratePerSecond < 0 || confirmAfterMs < MIN_CONFIRM_AFTER_MS || seconds < 1) {
            throw new IllegalArgumentException("rate " + ratePerSecond + ", confirm after " + confirmAfterMs + " ms, " + seconds + " s");
        }
    }

    /** The most time the generator runs: opening, then the confirmations still due. */
    Duration timeLimit() {
        return Duration.ofSeconds(seconds).plusMillis(confirmAfterMs).plus(DRAIN_MARGIN);
    }

    /** Its arguments, as {@link #parse} reads them. */
    List<String> arguments() {
        return List.of("--interface", interfaceName, "--source-mac", MacAddress.format(sourceMac),
                "--router-mac", MacAddress.format(routerMac), "--first-client", Ipv4.format(firstClient),
                "--clients", Integer.toString(clients), "--first-port", Integer.toString(firstPort),
                "--vip", Ipv4.format(vip), "--vip-port", Integer.toString(vipPort),
                "--max-connections", Long.toString(maxConnections), "--rate", Long.toString(ratePerSecond),
                "--confirm-after-ms", Long.toString(confirmAfterMs), "--seconds", Integer.toString(seconds),
                "--counters", counters.toString());
    }

    /**
     * Reads the arguments {@link #arguments()} writes.
     *
     * @throws IllegalArgumentException naming what is missing or wrong
     */
    static SynGenerator parse(String... args) {
        java.util.Map<String, String> values = new java.util.HashMap<>();
        for (BenchArguments.Option option : BenchArguments.options(args)) {
            if (values.put(option.name(), option.value()) != null) {
                throw new IllegalArgumentException("--" + option.name() + " given twice");
            }
        }
        List<String> names = List.of("interface", "source-mac", "router-mac", "first-client", "clients", "first-port", "vip",
                "vip-port", "max-connections", "rate", "confirm-after-ms", "seconds", "counters");
        for (String name : values.keySet()) {
            if (!names.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        for (String name : names) {
            if (!values.containsKey(name)) {
                throw new IllegalArgumentException("--" + name + " is missing");
            }
        }
        return new SynGenerator(values.get("interface"), MacAddress.parse(values.get("source-mac")),
                MacAddress.parse(values.get("router-mac")), Ipv4.parse(values.get("first-client")),
                (int) BenchArguments.whole("clients", values.get("clients"), 1, 256),
                (int) BenchArguments.whole("first-port", values.get("first-port"), 1, 65_535),
                Ipv4.parse(values.get("vip")), (int) BenchArguments.whole("vip-port", values.get("vip-port"), 1, 65_535),
                BenchArguments.whole("max-connections", values.get("max-connections"), 1, Long.MAX_VALUE),
                BenchArguments.whole("rate", values.get("rate"), 0, 100_000_000),
                BenchArguments.whole("confirm-after-ms", values.get("confirm-after-ms"), MIN_CONFIRM_AFTER_MS,
                        MAX_CONFIRM_AFTER_MS),
                (int) BenchArguments.whole("seconds", values.get("seconds"), 1, 600), Path.of(values.get("counters")));
    }

    /**
     * The command line, run inside the generator's namespace: {@code timeout -s KILL} (a JVM stuck anywhere still ends),
     * {@code taskset -c <cpu>}, this JVM's java with {@code classPath}, this class.
     */
    List<String> command(String java, String classPath, int cpu) {
        List<String> command = new ArrayList<>(List.of("timeout", "-s", "KILL",
                Long.toString(timeLimit().plus(TIMEOUT_MARGIN).toSeconds()), "taskset", "-c", Integer.toString(cpu), java,
                "--enable-native-access=ALL-UNNAMED",
                // Nothing allocates per frame: a small serial heap, every page touched before the load starts.
                "-XX:+UseSerialGC", "-Xms96m", "-Xmx96m", "-XX:+AlwaysPreTouch",
                "-cp", classPath, SynGenerator.class.getName()));
        command.addAll(arguments());
        return command;
    }

    /** Starts the generator in {@code host}'s namespace, pinned to {@code cpu}, with this JVM's java and class path. */
    LabProcess start(Host host, int cpu, Path log) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return host.spawn(command(java, System.getProperty("java.class.path"), cpu), log);
    }

    /** The generator's JVM: parse, open the socket, run, report. Exit status 0 when it ran to its end, 2 for bad arguments, 1 on failure. */
    public static void main(String[] args) {
        SynGenerator generator;
        try {
            generator = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("syn generator: " + e.getMessage());
            System.exit(2);
            return;
        }
        try (SynGeneratorCounters counters = SynGeneratorCounters.create(generator.counters())) {
            try {
                generator.run(counters);
            } catch (RuntimeException | Error e) {
                counters.set(SynGeneratorCounters.Field.STATE, SynGeneratorCounters.FAILED);
                throw e;
            }
        }
    }

    /** Sends until every connection is confirmed or the time limit; counters published every step. */
    void run(SynGeneratorCounters counters) {
        SynFrames frames = new SynFrames(sourceMac, routerMac, firstClient, clients, firstPort, 65_536 - firstPort, vip, vipPort);
        PacketSocketOptions options = PacketSocketOptions.builder().rxBlockCount(0).txFrameSizeBytes(TX_SLOT_BYTES)
                .txFrameCount(TX_SLOTS).qdiscBypass(true).build();
        try (PacketSocket socket = PacketSocket.open(interfaceName, options)) {
            MemorySegment ring = socket.txRing();
            SynLoad load = new SynLoad(new SynLoad.Transmitter() {
                @Override
                public boolean send(SynFrames.Kind kind, long connection) {
                    long at = socket.txClaim(SynFrames.FRAME_LENGTH_BYTES);
                    if (at < 0) {
                        socket.txFlush();
                        at = socket.txClaim(SynFrames.FRAME_LENGTH_BYTES);
                        if (at < 0) {
                            return false;
                        }
                    }
                    frames.write(ring, at, kind, connection);
                    socket.txCommit(SynFrames.FRAME_LENGTH_BYTES);
                    return true;
                }

                @Override
                public void flush() {
                    socket.txFlush();
                }
            }, maxConnections, ratePerSecond, confirmAfterMs * 1_000_000L, CONFIRM_RING_CAPACITY, BATCH);
            System.out.println("syn generator on " + interfaceName + ": " + frames.describe(sourceMac, routerMac) + ":"
                    + vipPort + ", at most " + maxConnections + " connections" + (ratePerSecond == 0 ? "" : ", " + ratePerSecond + "/s")
                    + ", confirmed " + confirmAfterMs + " ms after their ACK, opening for " + seconds + " s");
            long startNs = System.nanoTime();
            long openUntilNs = startNs + Duration.ofSeconds(seconds).toNanos();
            long deadlineNs = startNs + timeLimit().toNanos();
            load.start(startNs);
            counters.set(SynGeneratorCounters.Field.STATE, SynGeneratorCounters.RUNNING);
            long nowNs = startNs;
            while (!load.finished() && nowNs - deadlineNs < 0) {
                if (nowNs - openUntilNs >= 0) {
                    load.stopOpening();
                }
                int sent = load.step(nowNs);
                publish(counters, load);
                if (sent == 0) {
                    // Nothing due (rate-limited, or only confirmations ahead): sleep a little, but not past the next one.
                    LockSupport.parkNanos(Math.max(1, Math.min(100_000, load.nextDueNs() - nowNs)));
                }
                nowNs = System.nanoTime();
            }
            socket.txFlush();
            publish(counters, load);
            counters.set(SynGeneratorCounters.Field.STATE, load.finished() ? SynGeneratorCounters.FINISHED : SynGeneratorCounters.TIMED_OUT);
            System.out.println("syn generator " + (load.finished() ? "finished" : "stopped at its time limit") + " after "
                    + (System.nanoTime() - startNs) / 1_000_000 + " ms: " + load.syns() + " SYNs, " + load.acks() + " ACKs, "
                    + load.confirms() + " confirmations, " + load.pendingConfirmations() + " still due; steps stopped by a full"
                    + " transmit ring " + load.transmitRingFull() + ", held by the confirmation ring " + load.confirmRingFull()
                    + "; " + socket.statistics());
        }
    }

    private static void publish(SynGeneratorCounters counters, SynLoad load) {
        counters.set(SynGeneratorCounters.Field.SYNS, load.syns());
        counters.set(SynGeneratorCounters.Field.ACKS, load.acks());
        counters.set(SynGeneratorCounters.Field.CONFIRMS, load.confirms());
        counters.set(SynGeneratorCounters.Field.PENDING, load.pendingConfirmations());
        counters.set(SynGeneratorCounters.Field.TRANSMIT_RING_FULL, load.transmitRingFull());
        counters.set(SynGeneratorCounters.Field.CONFIRM_RING_FULL, load.confirmRingFull());
    }
}
