package dev.baton.dataplane.xdp;

import dev.baton.config.BatonConfig;
import dev.baton.config.InterfaceConfig;
import dev.baton.config.RouterSettings;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.nativeio.NativeException;
import dev.baton.nativeio.NetworkInterfaces;
import dev.baton.xdp.FastPathMaps;
import dev.baton.xdp.XdpAttachment;
import dev.baton.xdp.XdpObject;
import dev.baton.xdp.XdpUnavailableException;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The router's XDP fast path as a whole (issue #10): the program loaded with maps sized from the configuration, the
 * ports written into them, and the program attached to every client-facing interface. With {@code router.datapath:
 * af-packet}, or when anything of it fails (libbpf missing, no privilege, the verifier, an interface that takes no
 * program or runs another's), the router keeps the AF_PACKET data path alone and {@link #status()} says why: the log
 * and {@code ctl status} show it.
 */
public final class XdpDatapath implements AutoCloseable {
    /**
     * The veth driver's name. In native mode a veth hands the program a frame whose partial checksum (a local sender's
     * offload) XDP_TX and redirects then drop, and delivers what the program sends only to a peer that runs XDP itself
     * (measured: every such frame reached the server with a bad TCP checksum, or was dropped): generic mode, which
     * keeps the skb, is chosen there unless the operator forces native.
     */
    static final String VETH = "veth";
    private static final int ETHERNET_HEADER = 14;
    /** The fewest server and service ids the program's maps are sized for (a few KiB per CPU). */
    static final int MIN_SERVER_IDS = 256;
    static final int MIN_SERVICE_IDS = 64;
    private final XdpObject program;
    private final List<XdpAttachment> attachments;
    private final FastPath.Egress egress;
    private final String status;
    private final LongSupplier monotonicNanos;

    private XdpDatapath(XdpObject program, List<XdpAttachment> attachments, FastPath.Egress egress, String status,
                        LongSupplier monotonicNanos) {
        this.program = program;
        this.attachments = attachments;
        this.egress = egress;
        this.status = status;
        this.monotonicNanos = monotonicNanos;
    }

    /** The AF_PACKET data path alone, {@code reason} saying why. */
    public static XdpDatapath none(String reason) {
        return new XdpDatapath(null, List.of(), new FastPath.Egress(new int[0], new long[0], new int[0]),
                "af-packet (" + reason + ")", System::nanoTime);
    }

    /**
     * Loads and attaches the program as {@code config} asks, in the calling thread's network namespace (the router's),
     * or returns {@link #none} with the reason it could not.
     */
    public static XdpDatapath open(BatonConfig config, ServiceMap services) {
        if (config.router().datapath() != RouterSettings.Datapath.XDP) {
            return none("configured: router.datapath: af-packet");
        }
        XdpObject program = null;
        List<XdpAttachment> attachments = new ArrayList<>();
        try {
            List<InterfaceConfig> interfaces = config.interfaces();
            program = XdpObject.load(new XdpObject.Capacity(Math.max(1, config.table().capacity()),
                    serverCapacity(services), serviceCapacity(services),
                    Math.max(1, services.distinctVips().length), Math.max(1, interfaces.size())));
            List<InterfaceConfig> serverSide = interfaces.stream().filter(itf -> itf.role().facesServers()).toList();
            int[] egressIfindex = new int[serverSide.size()];
            long[] egressMac = new long[serverSide.size()];
            int[] egressMaxFrame = new int[serverSide.size()];
            try (FastPathMaps maps = new FastPathMaps(program)) {
                for (InterfaceConfig itf : interfaces) {
                    int ifindex = NetworkInterfaces.index(itf.name());
                    if (itf.role().facesClients()) {
                        maps.putPort(ifindex, NetworkInterfaces.macAddress(itf.name()));
                    }
                    if (itf.role().facesServers()) {
                        // In the configuration's order of server-facing interfaces: the neighbour table's.
                        int port = serverSide.indexOf(itf);
                        maps.putEgress(ifindex);
                        egressIfindex[port] = ifindex;
                        egressMac[port] = NetworkInterfaces.macAddress(itf.name());
                        egressMaxFrame[port] = NetworkInterfaces.mtu(itf.name()) + ETHERNET_HEADER;
                    }
                }
            }
            List<String> notes = new ArrayList<>();
            for (InterfaceConfig itf : interfaces) {
                if (itf.role().facesClients()) {
                    boolean tryNative = switch (config.router().xdpMode()) {
                        case NATIVE -> true;
                        case GENERIC -> false;
                        case AUTO -> !VETH.equals(NetworkInterfaces.driver(itf.name()));
                    };
                    if (!tryNative && config.router().xdpMode() == RouterSettings.XdpMode.AUTO) {
                        notes.add(itf.name() + " is a veth: generic (router.xdp-mode: native to force)");
                    }
                    attachments.add(XdpAttachment.attach(program, itf.name(), NetworkInterfaces.index(itf.name()), tryNative));
                }
            }
            StringBuilder status = new StringBuilder("xdp (");
            for (int i = 0; i < attachments.size(); i++) {
                XdpAttachment attachment = attachments.get(i);
                status.append(i == 0 ? "" : ", ").append(attachment.mode().label()).append(" on ").append(attachment.interfaceName());
                if (attachment.nativeRefusal() != null) {
                    status.append(": ").append(attachment.nativeRefusal());
                }
            }
            for (String note : notes) {
                status.append("; ").append(note);
            }
            status.append(')');
            return new XdpDatapath(program, attachments, new FastPath.Egress(egressIfindex, egressMac, egressMaxFrame),
                    status.toString(), System::nanoTime);
        } catch (XdpUnavailableException | NativeException e) {
            for (XdpAttachment attachment : attachments) {
                attachment.close();
            }
            if (program != null) {
                program.close();
            }
            return none("XDP unavailable: " + e.getMessage());
        }
    }

    /**
     * The server ids the program's maps hold: room for a reload to add servers (twice the configured ones, at least
     * {@link #MIN_SERVER_IDS}); a reload beyond it needs a restart ({@link XdpSlots#next}).
     */
    static int serverCapacity(ServiceMap services) {
        return Math.max(MIN_SERVER_IDS, 2 * services.totalServers());
    }

    /** The service ids the program's maps hold: as {@link #serverCapacity}. */
    static int serviceCapacity(ServiceMap services) {
        return Math.max(MIN_SERVICE_IDS, 2 * services.serviceCount());
    }

    /** Whether the program runs: false means the AF_PACKET data path alone. */
    public boolean active() {
        return program != null;
    }

    /** {@code xdp (native on eth0)}, or {@code af-packet (why)}: for the log and {@code ctl status}. */
    public String status() {
        return status;
    }

    /** The loaded program, or null when not {@link #active()}. */
    public XdpObject program() {
        return program;
    }

    public List<XdpAttachment> attachments() {
        return List.copyOf(attachments);
    }

    /** Worker {@code w}'s side of the fast path, or null when not {@link #active()}. */
    public FastPath worker(int w, int workers) {
        return active() ? new FastPath(program, w, workers, egress, monotonicNanos) : null;
    }


    /** Detaches the program from every interface and frees it with its maps. */
    @Override
    public void close() {
        for (XdpAttachment attachment : attachments) {
            attachment.close();
        }
        if (program != null) {
            program.close();
        }
    }
}
