package dev.baton.dataplane.engine;

import dev.baton.agent.CounterRegistry;
import dev.baton.agent.CounterRegistry.Label;
import dev.baton.agent.CounterRegistry.Type;
import dev.baton.codec.Ipv4;
import dev.baton.dataplane.forward.Forwarder;
import dev.baton.dataplane.io.AfPacketPort;
import dev.baton.dataplane.io.PacketPort;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.stats.DropReason;
import dev.baton.dataplane.stats.WorkerCounters;
import dev.baton.dataplane.xdp.FastPath;
import dev.baton.nativeio.PacketStatistics;
import dev.baton.table.ConnectionTable;

import java.util.ArrayList;
import java.util.List;

/**
 * One worker's counters in the {@link CounterRegistry}, every one labelled {@code worker}: its
 * {@link WorkerCounters} (frames, ARP, drops by reason, per service and per server), its connection table and
 * its AF_PACKET rings' kernel statistics. Read on the worker's own thread ({@link Dataplane#query}): the table's
 * counters are plain fields, and {@code PACKET_STATISTICS} is a system call on the worker's socket that resets
 * the kernel's count (the socket adds it up).
 */
final class WorkerCounterGroup {

    /** The global {@link WorkerCounters} ids with their names, in the order {@code baton ctl stats} shows them. */
    private static final List<Global> GLOBALS = List.of(
            new Global(WorkerCounters.RX_FRAMES, "rx_frames", "frames received on every port"),
            new Global(WorkerCounters.RX_BYTES, "rx_bytes", "bytes received on every port"),
            new Global(WorkerCounters.FORWARDED_FRAMES, "forwarded_frames", "frames forwarded to a server"),
            new Global(WorkerCounters.FORWARDED_BYTES, "forwarded_bytes", "bytes forwarded to a server"),
            new Global(WorkerCounters.ARP_REPLIES_SENT, "arp_replies_sent", "ARP replies for a VIP"),
            new Global(WorkerCounters.ARP_REQUESTS_SENT, "arp_requests_sent", "ARP requests for servers"),
            new Global(WorkerCounters.ARP_LEARNED, "arp_learned", "server MACs learned"),
            new Global(WorkerCounters.ARP_MAC_CHANGES, "arp_mac_changes", "server MACs replaced after a probe confirmed the new one"),
            new Global(WorkerCounters.ARP_MAC_CHANGES_REFUTED, "arp_mac_changes_refuted", "MAC changes abandoned: the known MAC answered"),
            new Global(WorkerCounters.ARP_MAC_CHANGES_UNANSWERED, "arp_mac_changes_unanswered", "MAC changes abandoned: the new MAC did not answer"),
            new Global(WorkerCounters.ICMP_ERRORS_FORWARDED, "icmp_errors_forwarded", "ICMP errors about a connection forwarded to its server"),
            new Global(WorkerCounters.IGNORED_OTHER_HOST, "ignored_other_host", "frames for another host"),
            new Global(WorkerCounters.IGNORED_OTHER_ETHERTYPE, "ignored_other_ethertype", "frames of another EtherType than IPv4 or ARP"),
            new Global(WorkerCounters.CHECKSUMS_COMPLETED, "checksums_completed", "partial checksums completed before forwarding"));

    private record Global(int id, String name, String help) {
    }

    private WorkerCounterGroup() {
    }

    /** The {@link WorkerCounters} global ids that have a name here, in order. */
    static int[] namedGlobalIds() {
        return GLOBALS.stream().mapToInt(Global::id).toArray();
    }

    /**
     * Registers worker {@code w}'s counters for its services {@code services}; the reader runs on the worker through
     * {@code dataplane.query}. A reload removes the group and registers the next one.
     */
    static CounterRegistry.Group register(CounterRegistry registry, Dataplane dataplane, int w, ServiceMap services) {
        Forwarder worker = dataplane.worker(w);
        Label label = new Label("worker", Integer.toString(w));
        CounterRegistry.Group group = registry.group("worker " + w, read -> dataplane.query(w, f -> read.get()));
        for (Global global : GLOBALS) {
            group.add(global.name(), Type.COUNTER, global.help(), label);
        }
        for (DropReason reason : DropReason.values()) {
            group.add("drops", Type.COUNTER, "frames dropped, by reason", label, new Label("reason", reason.label));
        }
        for (int s = 0; s < services.serviceCount(); s++) {
            Label service = new Label("service", services.name(s));
            group.add("service_packets", Type.COUNTER, "packets forwarded for the service", label, service);
            group.add("service_bytes", Type.COUNTER, "bytes forwarded for the service", label, service);
            group.add("service_connections", Type.COUNTER, "connections scheduled for the service", label, service);
            for (DropReason reason : DropReason.values()) {
                group.add("service_drops", Type.COUNTER, "packets of the service dropped, by reason", label, service,
                        new Label("reason", reason.label));
            }
            for (int i = 0; i < services.serverCount(s); i++) {
                Label server = new Label("server", Ipv4.format(services.serverAddress(services.serverId(s, i))));
                group.add("server_packets", Type.COUNTER, "packets forwarded to the server", label, service, server);
                group.add("server_bytes", Type.COUNTER, "bytes forwarded to the server", label, service, server);
                group.add("server_connections", Type.COUNTER, "connections scheduled to the server", label, service, server);
                group.add("server_connections_active", Type.GAUGE, "connections of the server in the table", label, service, server);
            }
        }
        group.add("table_connections", Type.GAUGE, "connections in the worker's table", label);
        group.add("table_inserts", Type.COUNTER, "connections inserted", label);
        group.add("table_confirmed", Type.COUNTER, "connections confirmed (ESTABLISHED: a client segment a second after the handshake ACK)", label);
        group.add("table_evicted", Type.COUNTER, "connections evicted to make room (capacity policy)", label);
        group.add("table_expired_when_full", Type.COUNTER, "expired connections reclaimed when the table was full", label);
        group.add("table_refused_full", Type.COUNTER, "new connections refused: table full", label);
        group.add("table_refused_source_limit", Type.COUNTER, "new connections refused: per-source limit", label);
        if (worker.fastPath() != null) {
            group.add("xdp_flows_inserted", Type.COUNTER, "flows written into the XDP program's map", label);
            group.add("xdp_flows_removed", Type.COUNTER, "flows taken out of the XDP program's map", label);
            group.add("xdp_flows_refused_full", Type.COUNTER, "flows the XDP map had no room for (slow path)", label);
            group.add("xdp_flows_reinserted", Type.COUNTER, "flows put in again after a frame the program could have forwarded", label);
            group.add("xdp_flows_refreshed", Type.COUNTER, "table entries moved forward by the program's last-seen time", label);
            group.add("xdp_flows_stale_removed", Type.COUNTER, "flows in the map the table no longer held, removed", label);
            group.add("xdp_map_errors", Type.COUNTER, "XDP map writes and reads the kernel refused (retried or healed)", label);
            group.add("xdp_flows_in_map", Type.GAUGE, "the worker's flows in the XDP program's map, as of its last complete pass (a pass starts at most once a second)", label);
        }
        List<AfPacketPort> rings = new ArrayList<>();
        for (PacketPort port : worker.ports()) {
            if (port instanceof AfPacketPort ring) {
                rings.add(ring);
                Label itf = new Label("interface", ring.name());
                group.add("ring_rx_packets", Type.COUNTER, "packets the kernel passed to the ring", label, itf);
                group.add("ring_rx_drops", Type.COUNTER, "packets the kernel dropped: ring full", label, itf);
                group.add("ring_rx_freezes", Type.COUNTER, "times the kernel froze the ring (TPACKET_V3)", label, itf);
                group.add("ring_rx_truncated", Type.COUNTER, "frames longer than a ring slot", label, itf);
                group.add("ring_tx_frames", Type.COUNTER, "frames committed to the TX ring", label, itf);
                group.add("ring_tx_kicks_deferred", Type.COUNTER, "TX kicks deferred to the next batch", label, itf);
                group.add("ring_tx_malformed", Type.COUNTER, "TX frames the kernel refused", label, itf);
            }
        }
        group.reader(values -> read(worker, services, rings, values));
        return group;
    }

    /** Worker thread: the values in the order {@link #register} described them. */
    private static void read(Forwarder worker, ServiceMap services, List<AfPacketPort> rings, long[] values) {
        WorkerCounters counters = worker.counters();
        int at = 0;
        for (Global global : GLOBALS) {
            values[at++] = counters.get(global.id());
        }
        for (DropReason reason : DropReason.values()) {
            values[at++] = counters.drops(reason);
        }
        for (int s = 0; s < services.serviceCount(); s++) {
            values[at++] = counters.service(s, WorkerCounters.SERVICE_PACKETS);
            values[at++] = counters.service(s, WorkerCounters.SERVICE_BYTES);
            values[at++] = counters.service(s, WorkerCounters.SERVICE_CONNECTIONS);
            for (DropReason reason : DropReason.values()) {
                values[at++] = counters.serviceDrops(s, reason);
            }
            for (int i = 0; i < services.serverCount(s); i++) {
                int id = services.serverId(s, i);
                values[at++] = counters.server(id, WorkerCounters.SERVER_PACKETS);
                values[at++] = counters.server(id, WorkerCounters.SERVER_BYTES);
                values[at++] = counters.server(id, WorkerCounters.SERVER_CONNECTIONS);
                values[at++] = counters.server(id, WorkerCounters.SERVER_ACTIVE);
            }
        }
        ConnectionTable table = worker.table();
        values[at++] = table.size();
        values[at++] = table.inserts();
        values[at++] = table.confirmations();
        values[at++] = table.evictions();
        values[at++] = table.evictionsExpired();
        values[at++] = table.insertFailuresFull();
        values[at++] = table.insertFailuresSourceLimit();
        FastPath fastPath = worker.fastPath();
        if (fastPath != null) {
            values[at++] = fastPath.inserted();
            values[at++] = fastPath.removed();
            values[at++] = fastPath.insertsRefusedFull();
            values[at++] = fastPath.reinserted();
            values[at++] = fastPath.refreshed();
            values[at++] = fastPath.staleRemoved();
            values[at++] = fastPath.mapErrors();
            values[at++] = fastPath.flowsInMap();
        }
        for (AfPacketPort ring : rings) {
            PacketStatistics st = ring.statistics();
            values[at++] = st.packets();
            values[at++] = st.drops();
            values[at++] = st.freezes();
            values[at++] = ring.truncatedFrames();
            values[at++] = st.txFramesCommitted();
            values[at++] = st.txKicksDeferred();
            values[at++] = st.txMalformedFrames();
        }
    }
}
