package dev.baton.xdp;

import dev.baton.nativeio.LibC;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * Baton's XDP program and its maps, loaded into the kernel from the object the build compiled
 * ({@code src/main/c/baton_xdp.c}, clang's {@code bpf} target, shipped in this jar): {@code bpf_object__open_mem},
 * each map sized from the configuration, {@code bpf_object__load} (the verifier runs here; its log is kept for the
 * error). Closing it closes every descriptor: the kernel frees the program and maps once nothing else (an attached
 * interface, a pin) holds them.
 */
public final class XdpObject implements AutoCloseable {
    /** The compiled program, a resource beside this class. */
    public static final String RESOURCE = "baton_xdp.o";
    /** The XDP function's name in the object. */
    public static final String PROGRAM = "baton_fast_path";
    /** The verifier's log is kept up to this size for a failed load's message. */
    static final int VERIFIER_LOG_BYTES = 256 * 1024;
    /** The largest object accepted as the program (the build's is ~30 KB): a bound on what is read into memory. */
    static final int MAX_OBJECT_BYTES = 4 * 1024 * 1024;

    /**
     * How many entries each map holds. Flows: the connections the driver may forward (the connection table's
     * capacity); servers and services: the highest id + 1; VIPs; ports (interfaces Baton opens).
     */
    public record Capacity(int flows, int servers, int services, int vips, int ports) {
        public Capacity {
            requirePositive("flows", flows);
            requirePositive("servers", servers);
            requirePositive("services", services);
            requirePositive("vips", vips);
            requirePositive("ports", ports);
        }

        private static void requirePositive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, got " + value);
            }
        }
    }

    private final Arena arena;
    private final MemorySegment object;
    private final int programFd;
    private final int possibleCpus;
    private final BpfMap flows;
    private final BpfMap servers;
    /** What the maps were sized for at load. */
    private final Capacity capacity;
    private final BpfMap vips;
    private final BpfMap ports;
    private final BpfMap egress;
    private final BpfMap counters;
    private final BpfMap serverTraffic;
    private final BpfMap serviceTraffic;
    private boolean closed;

    private XdpObject(Arena arena, MemorySegment object, int programFd, int possibleCpus, Libbpf libbpf,
                      Capacity capacity) {
        this.arena = arena;
        this.object = object;
        this.programFd = programFd;
        this.possibleCpus = possibleCpus;
        this.capacity = capacity;
        this.flows = map(libbpf, "baton_flows", XdpLayouts.FLOW_KEY.byteSize(), XdpLayouts.FLOW.byteSize(), capacity.flows(), 1);
        this.servers = map(libbpf, "baton_servers", Integer.BYTES, XdpLayouts.SERVER.byteSize(), capacity.servers(), 1);
        this.vips = map(libbpf, "baton_vips", Integer.BYTES, XdpLayouts.VIP.byteSize(), capacity.vips(), 1);
        this.ports = map(libbpf, "baton_ports", Integer.BYTES, XdpLayouts.PORT.byteSize(), capacity.ports(), 1);
        this.egress = map(libbpf, "baton_egress", Integer.BYTES, Integer.BYTES, capacity.ports(), 1);
        this.counters = map(libbpf, "baton_counters", Integer.BYTES, Long.BYTES, XdpCounter.values().length, possibleCpus);
        this.serverTraffic = map(libbpf, "baton_server_traffic", Integer.BYTES, XdpLayouts.TRAFFIC.byteSize(),
                capacity.servers(), possibleCpus);
        this.serviceTraffic = map(libbpf, "baton_service_traffic", Integer.BYTES, XdpLayouts.TRAFFIC.byteSize(),
                capacity.services(), possibleCpus);
    }

    /**
     * Loads the program with maps of {@code capacity}.
     *
     * @throws XdpUnavailableException why it cannot: libbpf missing, no privilege (CAP_BPF, CAP_NET_ADMIN), the
     *                                 verifier's refusal with its log, a map the kernel would not create
     */
    public static XdpObject load(Capacity capacity) {
        String unavailable = Libbpf.unavailableReason();
        if (unavailable != null) {
            throw new XdpUnavailableException(unavailable);
        }
        Libbpf libbpf = new Libbpf();
        int possibleCpus = Libbpf.numPossibleCpus();
        Arena arena = Arena.ofShared();
        MemorySegment object = MemorySegment.NULL;
        try {
            byte[] bytes = objectBytes();
            // libbpf parses the ELF image in place until the load: it lives as long as the object.
            MemorySegment image = arena.allocate(bytes.length, 8);
            MemorySegment.copy(bytes, 0, image, ValueLayout.JAVA_BYTE, 0, bytes.length);
            MemorySegment log = arena.allocate(VERIFIER_LOG_BYTES);
            MemorySegment options = arena.allocate(XdpLayouts.OBJECT_OPEN_OPTS);
            options.set(ValueLayout.JAVA_LONG, 0, XdpLayouts.OBJECT_OPEN_OPTS.byteSize());
            options.set(ValueLayout.ADDRESS, offset("object_name"), arena.allocateFrom("baton"));
            options.set(ValueLayout.ADDRESS, offset("kernel_log_buf"), log);
            options.set(ValueLayout.JAVA_LONG, offset("kernel_log_size"), VERIFIER_LOG_BYTES);
            object = libbpf.openMem(image, bytes.length, options);
            if (object.equals(MemorySegment.NULL)) {
                throw new XdpUnavailableException("the XDP object would not open: " + LibC.failure("bpf_object__open_mem",
                        libbpf.errno()).getMessage());
            }
            MemorySegment program = libbpf.findProgramByName(object, arena.allocateFrom(PROGRAM));
            if (program.equals(MemorySegment.NULL)) {
                throw new XdpUnavailableException("the XDP object has no program " + PROGRAM);
            }
            setMaxEntries(libbpf, arena, object, "baton_flows", capacity.flows());
            setMaxEntries(libbpf, arena, object, "baton_servers", capacity.servers());
            setMaxEntries(libbpf, arena, object, "baton_server_traffic", capacity.servers());
            setMaxEntries(libbpf, arena, object, "baton_service_traffic", capacity.services());
            setMaxEntries(libbpf, arena, object, "baton_vips", capacity.vips());
            setMaxEntries(libbpf, arena, object, "baton_ports", capacity.ports());
            setMaxEntries(libbpf, arena, object, "baton_egress", capacity.ports());
            int loaded = libbpf.objectLoad(object);
            if (loaded < 0) {
                String verifier = log.getString(0, StandardCharsets.UTF_8).strip();
                throw new XdpUnavailableException("the kernel refused the XDP program: "
                        + Libbpf.failure("bpf_object__load", loaded).getMessage()
                        + (verifier.isEmpty() ? "" : "; verifier log (last lines):\n" + lastLines(verifier, 30)));
            }
            int programFd = Libbpf.orThrow(libbpf.programFd(program), "bpf_program__fd");
            return new XdpObject(arena, object, programFd, possibleCpus, libbpf, capacity);
        } catch (RuntimeException e) {
            if (!object.equals(MemorySegment.NULL)) {
                libbpf.objectClose(object);
            }
            arena.close();
            throw e;
        }
    }

    /** The compiled object's bytes, from this jar. */
    public static byte[] objectBytes() {
        try (InputStream in = XdpObject.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new XdpUnavailableException("this build has no XDP object (" + RESOURCE
                        + "): it is compiled by clang during the build (apt-get install clang libbpf-dev)");
            }
            byte[] bytes = in.readNBytes(MAX_OBJECT_BYTES + 1);
            if (bytes.length > MAX_OBJECT_BYTES) {
                throw new XdpUnavailableException(RESOURCE + " is larger than " + MAX_OBJECT_BYTES + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    private static long offset(String field) {
        return XdpLayouts.OBJECT_OPEN_OPTS.byteOffset(groupElement(field));
    }

    private static void setMaxEntries(Libbpf libbpf, Arena arena, MemorySegment object, String name, int maxEntries) {
        MemorySegment map = libbpf.findMapByName(object, arena.allocateFrom(name));
        if (map.equals(MemorySegment.NULL)) {
            throw new XdpUnavailableException("the XDP object has no map " + name);
        }
        Libbpf.orThrow(libbpf.mapSetMaxEntries(map, maxEntries), "bpf_map__set_max_entries(" + name + ", " + maxEntries + ")");
    }

    private BpfMap map(Libbpf libbpf, String name, long keySize, long valueSize, int maxEntries, int valuesPerKey) {
        MemorySegment map = libbpf.findMapByName(object, arena.allocateFrom(name));
        int fd = Libbpf.orThrow(libbpf.mapFd(map), "bpf_map__fd(" + name + ")");
        return new BpfMap(name, fd, keySize, valueSize, maxEntries, valuesPerKey);
    }

    private static String lastLines(String text, int count) {
        String[] lines = text.split("\n");
        int from = Math.max(0, lines.length - count);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }

    /** What the maps were sized for at load. */
    public Capacity capacity() {
        return capacity;
    }

    public int programFd() {
        return programFd;
    }

    /** How many values a per-CPU map holds per key. */
    public int possibleCpus() {
        return possibleCpus;
    }

    /** {@code baton_flows}: flow key → server, service, last seen. */
    public BpfMap flows() {
        return flows;
    }

    /** {@code baton_servers}: server id → MACs, egress ifindex, flags. */
    public BpfMap servers() {
        return servers;
    }

    /** {@code baton_vips}: VIP (network order) → flags. */
    public BpfMap vips() {
        return vips;
    }

    /** {@code baton_ports}: ifindex → the port's MAC. */
    public BpfMap ports() {
        return ports;
    }

    /** {@code baton_egress}: the devmap the program redirects through, ifindex → ifindex. */
    public BpfMap egress() {
        return egress;
    }

    /** {@code baton_counters}: per-CPU {@link XdpCounter}s. */
    public BpfMap counters() {
        return counters;
    }

    /** {@code baton_server_traffic}: per-CPU packets and bytes by server id. */
    public BpfMap serverTraffic() {
        return serverTraffic;
    }

    /** {@code baton_service_traffic}: per-CPU packets and bytes by service id. */
    public BpfMap serviceTraffic() {
        return serviceTraffic;
    }

    /** The sum over every CPU of a per-CPU map's 8-byte field at {@code fieldOffset} for {@code index}. */
    public long sumPerCpu(BpfMap map, int index, long fieldOffset) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment key = scratch.allocate(ValueLayout.JAVA_INT);
            key.set(ValueLayout.JAVA_INT, 0, index);
            MemorySegment values = scratch.allocate(map.valueBufferSize(), 8);
            if (!map.lookup(key, values)) {
                return 0;
            }
            long sum = 0;
            for (int cpu = 0; cpu < map.valuesPerKey(); cpu++) {
                sum += values.get(ValueLayout.JAVA_LONG, cpu * map.valueStride() + fieldOffset);
            }
            return sum;
        }
    }

    /** A global counter summed over every CPU. */
    public long counter(XdpCounter counter) {
        return sumPerCpu(counters, counter.ordinal(), 0);
    }

    /** Offsets of {@link XdpLayouts#TRAFFIC}'s fields, for {@link #sumPerCpu}. */
    public static final long TRAFFIC_PACKETS_OFFSET = XdpLayouts.TRAFFIC.byteOffset(MemoryLayout.PathElement.groupElement("packets"));
    public static final long TRAFFIC_BYTES_OFFSET = XdpLayouts.TRAFFIC.byteOffset(MemoryLayout.PathElement.groupElement("bytes"));

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        new Libbpf().objectClose(object);
        arena.close();
    }
}
