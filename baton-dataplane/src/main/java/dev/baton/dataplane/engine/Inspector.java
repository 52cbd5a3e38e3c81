package dev.baton.dataplane.engine;

import dev.baton.codec.Ipv4;
import dev.baton.dataplane.forward.Forwarder;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.stats.DropReason;
import dev.baton.dataplane.stats.WorkerCounters;
import dev.baton.dataplane.io.AfPacketPort;
import dev.baton.nativeio.ClientShardFanout;
import dev.baton.nativeio.PacketStatistics;
import dev.baton.table.ConnectionTable;
import dev.baton.table.TcpState;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Read-only views of a running {@link Dataplane} for operators: counters, the connection table, and the
 * oracle that answers "which server gets this 5-tuple now?" without sending traffic (Katran's idea).
 * Results are plain maps and lists (rendered as text or JSON by the control layer). Runs on the control
 * thread; anything owned by a worker is read on that worker's thread through {@link Dataplane#query}.
 */
public final class Inspector {

    private final Dataplane dataplane;

    public Inspector(Dataplane dataplane) {
        this.dataplane = dataplane;
    }

    /** Counters per router, service and server, summed over workers. */
    public Map<String, Object> stats() {
        ServiceMap services = dataplane.services();
        int workers = dataplane.workerCount();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("router", dataplane.config().router().id());
        root.put("workers", workers);
        root.put("rx_frames", sum(WorkerCounters.RX_FRAMES));
        root.put("rx_bytes", sum(WorkerCounters.RX_BYTES));
        root.put("forwarded_frames", sum(WorkerCounters.FORWARDED_FRAMES));
        root.put("forwarded_bytes", sum(WorkerCounters.FORWARDED_BYTES));
        root.put("arp_replies_sent", sum(WorkerCounters.ARP_REPLIES_SENT));
        root.put("arp_requests_sent", sum(WorkerCounters.ARP_REQUESTS_SENT));
        root.put("arp_learned", sum(WorkerCounters.ARP_LEARNED));
        root.put("arp_mac_changes", sum(WorkerCounters.ARP_MAC_CHANGES));
        root.put("arp_mac_changes_refuted", sum(WorkerCounters.ARP_MAC_CHANGES_REFUTED));
        root.put("arp_mac_changes_unanswered", sum(WorkerCounters.ARP_MAC_CHANGES_UNANSWERED));
        root.put("icmp_errors_forwarded", sum(WorkerCounters.ICMP_ERRORS_FORWARDED));
        root.put("ignored_other_host", sum(WorkerCounters.IGNORED_OTHER_HOST));
        root.put("ignored_other_ethertype", sum(WorkerCounters.IGNORED_OTHER_ETHERTYPE));
        root.put("checksums_completed", sum(WorkerCounters.CHECKSUMS_COMPLETED));
        Map<String, Object> drops = new LinkedHashMap<>();
        for (DropReason reason : DropReason.values()) {
            long total = 0;
            for (int w = 0; w < workers; w++) {
                total += dataplane.worker(w).counters().drops(reason);
            }
            drops.put(reason.label, total);
        }
        root.put("drops", drops);
        List<Object> rings = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int worker = w;
            rings.addAll(dataplane.query(w, f -> {
                List<Object> part = new ArrayList<>();
                for (var port : f.ports()) {
                    if (port instanceof AfPacketPort ring) {
                        // PACKET_STATISTICS is read on the worker's own thread: the socket is the worker's.
                        PacketStatistics st = ring.statistics();
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("worker", worker);
                        row.put("interface", ring.name());
                        row.put("rx_packets", st.packets());
                        row.put("rx_drops", st.drops());
                        row.put("rx_freezes", st.freezes());
                        row.put("rx_truncated", ring.truncatedFrames());
                        row.put("tx_frames", st.txFramesCommitted());
                        row.put("tx_kicks_deferred", st.txKicksDeferred());
                        row.put("tx_malformed", st.txMalformedFrames());
                        part.add(row);
                    }
                }
                return part;
            }));
        }
        root.put("rings", rings);
        long size = 0;
        for (int w = 0; w < workers; w++) {
            size += dataplane.query(w, f -> (long) f.table().size());
        }
        root.put("connections", size);
        root.put("capacity", dataplane.config().table().capacity());
        // What the capacity policy did: a blind flood shows as evictions, never as refusals.
        long[] table = new long[5];
        for (int w = 0; w < workers; w++) {
            long[] part = dataplane.query(w, f -> new long[] {f.table().inserts(), f.table().evictions(),
                    f.table().evictionsExpired(), f.table().insertFailuresFull(), f.table().insertFailuresSourceLimit()});
            for (int i = 0; i < table.length; i++) {
                table[i] += part[i];
            }
        }
        Map<String, Object> tableCounters = new LinkedHashMap<>();
        tableCounters.put("inserts", table[0]);
        tableCounters.put("evicted", table[1]);
        tableCounters.put("expired_when_full", table[2]);
        tableCounters.put("refused_full", table[3]);
        tableCounters.put("refused_source_limit", table[4]);
        root.put("table", tableCounters);
        List<Object> serviceList = new ArrayList<>();
        long nowMs = dataplane.clock().nowMs();
        for (int s = 0; s < services.serviceCount(); s++) {
            Map<String, Object> service = new LinkedHashMap<>();
            service.put("name", services.name(s));
            service.put("vip", Ipv4.format(services.vip(s)));
            service.put("protocol", services.protocol(s) == 6 ? "tcp" : "udp");
            service.put("owned", dataplane.ownership().owns(services.vip(s)));
            service.put("packets", serviceSum(s, WorkerCounters.SERVICE_PACKETS));
            service.put("bytes", serviceSum(s, WorkerCounters.SERVICE_BYTES));
            service.put("connections_total", serviceSum(s, WorkerCounters.SERVICE_CONNECTIONS));
            Map<String, Object> serviceDrops = new LinkedHashMap<>();
            long serviceDropTotal = 0;
            for (DropReason reason : DropReason.values()) {
                long count = 0;
                for (int w = 0; w < workers; w++) {
                    count += dataplane.worker(w).counters().serviceDrops(s, reason);
                }
                serviceDropTotal += count;
                if (count > 0) {
                    serviceDrops.put(reason.label, count);
                }
            }
            service.put("drops", serviceDropTotal);
            service.put("drops_by_reason", serviceDrops);
            List<Object> serverList = new ArrayList<>();
            for (int i = 0; i < services.serverCount(s); i++) {
                int id = services.serverId(s, i);
                int neighbour = services.neighbourOf(id);
                Map<String, Object> server = new LinkedHashMap<>();
                server.put("address", Ipv4.format(services.serverAddress(id)));
                server.put("weight", services.serverWeight(id));
                long mac = dataplane.neighbours().mac(neighbour);
                server.put("mac", mac < 0 ? null : dev.baton.codec.MacAddress.format(mac));
                server.put("resolved", dataplane.neighbours().resolved(neighbour, nowMs));
                server.put("packets", serverSum(id, WorkerCounters.SERVER_PACKETS));
                server.put("bytes", serverSum(id, WorkerCounters.SERVER_BYTES));
                server.put("connections_total", serverSum(id, WorkerCounters.SERVER_CONNECTIONS));
                server.put("connections_active", serverSum(id, WorkerCounters.SERVER_ACTIVE));
                serverList.add(server);
            }
            service.put("servers", serverList);
            serviceList.add(service);
        }
        root.put("services", serviceList);
        return root;
    }

    /** The most rows one {@code connections} listing returns (documented in docs/operations.md). */
    public static final int MAX_CONNECTION_ROWS = 100_000;
    /** Rows a worker copies per ask: small records, a few tens of kilobytes. */
    static final int ROWS_PER_ASK = 1_024;
    /** Slots a worker scans per ask (a control byte each): tens of microseconds, even in an empty table. */
    static final int SLOTS_PER_ASK = 65_536;

    /** One connection entry as a worker copied it; turned into text on the control thread. */
    private record Row(int worker, int protocol, int client, int clientPort, int vip, int vipPort, int serviceId,
                       int serverId, int state, long idleMs) {
    }

    /** One ask's rows and where the next ask resumes. */
    private record Chunk(List<Row> rows, long nextSlot, boolean done) {
    }

    /**
     * Up to {@code limit} connection entries, each as a map, produced as they are iterated: each worker is
     * asked for at most {@link #ROWS_PER_ASK} rows from at most {@link #SLOTS_PER_ASK} slots at a time,
     * resuming where its previous answer stopped, and the caller (the control socket) writes the rows out
     * before asking for more. A worker thus never spends more than a bounded time on a listing, and nothing
     * is built in proportion to the limit ({@code --limit 100000000} used to build every row on the worker).
     * Not a snapshot: see {@link ConnectionTable#forEachFrom}.
     *
     * @throws IllegalArgumentException when {@code limit} is not in 1..{@link #MAX_CONNECTION_ROWS}
     */
    public Iterable<Map<String, Object>> connections(int limit) {
        if (limit < 1 || limit > MAX_CONNECTION_ROWS) {
            throw new IllegalArgumentException("limit must be 1.." + MAX_CONNECTION_ROWS + ", was " + limit
                    + " (`baton ctl lookup` finds one flow; `baton ctl stats` counts them all)");
        }
        return () -> new ConnectionCursor(limit);
    }

    /** Walks the workers' tables in bounded asks; runs on the control thread. */
    private final class ConnectionCursor implements Iterator<Map<String, Object>> {
        private final ArrayDeque<Row> pending = new ArrayDeque<>();
        private int remaining;
        private int worker;
        private long slot;

        ConnectionCursor(int limit) {
            this.remaining = limit;
        }

        @Override
        public boolean hasNext() {
            while (pending.isEmpty() && remaining > 0 && worker < dataplane.workerCount()) {
                int w = worker;
                long from = slot;
                int rows = Math.min(ROWS_PER_ASK, remaining);
                Chunk chunk = dataplane.query(w, f -> copyRows(f, w, from, rows));
                pending.addAll(chunk.rows());
                remaining -= chunk.rows().size();
                if (chunk.done()) {
                    worker++;
                    slot = 0;
                } else {
                    slot = chunk.nextSlot();
                }
            }
            return !pending.isEmpty();
        }

        @Override
        public Map<String, Object> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Row r = pending.poll();
            ServiceMap services = dataplane.services();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("protocol", r.protocol() == 6 ? "tcp" : "udp");
            row.put("client", Ipv4.format(r.client()) + ":" + r.clientPort());
            row.put("vip", Ipv4.format(r.vip()) + ":" + r.vipPort());
            row.put("service", services.name(r.serviceId()));
            row.put("server", Ipv4.format(services.serverAddress(r.serverId())));
            row.put("state", TcpState.name(r.state()));
            row.put("idle_ms", r.idleMs());
            row.put("worker", r.worker());
            return row;
        }
    }

    /** On worker {@code worker}'s thread: copies at most {@code maxRows} rows from slot {@code fromSlot} on. */
    private Chunk copyRows(Forwarder f, int worker, long fromSlot, int maxRows) {
        long nowMs = dataplane.clock().nowMs();
        List<Row> rows = new ArrayList<>(maxRows);
        ConnectionTable table = f.table();
        long next = table.forEachFrom(fromSlot, SLOTS_PER_ASK, maxRows,
                (protocol, client, clientPort, vip, vipPort, serviceId, serverId, state, lastSeenMs) ->
                        rows.add(new Row(worker, protocol, client, clientPort, vip, vipPort, serviceId, serverId, state, nowMs - lastSeenMs)));
        return new Chunk(rows, next, next >= table.slotCount());
    }

    /**
     * The oracle: which server a packet from {@code client:clientPort} to {@code vip:vipPort} goes to now,
     * and why: an existing connection, the client's persistent server, or the scheduler's next choice
     * (computed without advancing the scheduler).
     */
    public Map<String, Object> lookup(int protocol, int client, int clientPort, int vip, int vipPort) {
        ServiceMap services = dataplane.services();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("flow", (protocol == 6 ? "tcp " : "udp ") + Ipv4.format(client) + ":" + clientPort + " -> " + Ipv4.format(vip) + ":" + vipPort);
        int service = services.find(vip, protocol, vipPort);
        if (service < 0) {
            answer.put("decision", services.isVip(vip) ? "no-service" : "not-vip");
            answer.put("server", null);
            return answer;
        }
        answer.put("service", services.name(service));
        answer.put("owned", dataplane.ownership().owns(vip));
        int worker = ClientShardFanout.shardOf(client, dataplane.workerCount());
        answer.put("worker", worker);
        Map<String, Object> decided = dataplane.query(worker, f -> decide(f, service, protocol, client, clientPort, vip, vipPort));
        answer.putAll(decided);
        return answer;
    }

    private Map<String, Object> decide(Forwarder f, int service, int protocol, int client, int clientPort, int vip, int vipPort) {
        ServiceMap services = dataplane.services();
        Map<String, Object> result = new LinkedHashMap<>();
        long nowMs = dataplane.clock().nowMs();
        // Availability is refreshed once per duty cycle; bring it up to date for an exact answer.
        f.schedulers().refreshAvailability(dataplane.neighbours(), nowMs);
        ConnectionTable table = f.table();
        // The side-effect-free find: the oracle must not expire or change anything.
        long slot = table.find(protocol, client, clientPort, vip, vipPort);
        int serverId;
        if (slot >= 0) {
            serverId = table.serverId(slot);
            result.put("decision", "connection");
            result.put("state", TcpState.name(table.state(slot)));
        } else {
            long persistenceMs = services.persistenceMs(service);
            long stickySlot = persistenceMs > 0 ? f.persistence().find(service, client) : -1;
            int sticky = stickySlot >= 0 && nowMs - f.persistence().lastUsedMs(stickySlot) <= persistenceMs
                    ? f.persistence().serverId(stickySlot) : -1;
            if (sticky >= 0 && f.schedulers().available(sticky)) {
                serverId = sticky;
                result.put("decision", "persistence");
            } else {
                serverId = f.schedulers().peek(service, client, nowMs);
                result.put("decision", serverId < 0 ? "no-server" : "scheduler");
            }
        }
        result.put("server", serverId < 0 ? null : Ipv4.format(services.serverAddress(serverId)));
        return result;
    }

    private long sum(int id) {
        long total = 0;
        for (int w = 0; w < dataplane.workerCount(); w++) {
            total += dataplane.worker(w).counters().get(id);
        }
        return total;
    }

    private long serviceSum(int service, int field) {
        long total = 0;
        for (int w = 0; w < dataplane.workerCount(); w++) {
            total += dataplane.worker(w).counters().service(service, field);
        }
        return total;
    }

    private long serverSum(int server, int field) {
        long total = 0;
        for (int w = 0; w < dataplane.workerCount(); w++) {
            total += dataplane.worker(w).counters().server(server, field);
        }
        return total;
    }
}
