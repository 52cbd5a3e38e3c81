package dev.baton.dataplane.engine;

import dev.baton.agent.CounterRegistry;
import dev.baton.agent.CounterSnapshot;
import dev.baton.codec.Ipv4;
import dev.baton.dataplane.forward.Forwarder;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.stats.DropReason;
import dev.baton.nativeio.ClientShardFanout;
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

    /**
     * Counters per router, service and server, summed over workers: one snapshot of the router's
     * {@link CounterRegistry}, shaped for people ({@code baton ctl stats}).
     */
    public Map<String, Object> stats() {
        CounterSnapshot snapshot = dataplane.counters().snapshot();
        Dataplane.Generation generation = dataplane.generation(); // one configuration's services, board and neighbours
        ServiceMap services = generation.services();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("router", generation.config().router().id());
        root.put("workers", dataplane.workerCount());
        for (String name : List.of("rx_frames", "rx_bytes", "forwarded_frames", "forwarded_bytes", "arp_replies_sent",
                "arp_requests_sent", "arp_learned", "arp_mac_changes", "arp_mac_changes_refuted", "arp_mac_changes_unanswered",
                "icmp_errors_forwarded", "ignored_other_host", "ignored_other_ethertype", "checksums_completed")) {
            root.put(name, snapshot.sum(name));
        }
        Map<String, Object> drops = new LinkedHashMap<>();
        for (DropReason reason : DropReason.values()) {
            drops.put(reason.label, snapshot.sum("drops", "reason", reason.label));
        }
        root.put("drops", drops);
        List<Object> rings = new ArrayList<>();
        for (CounterSnapshot.Sample sample : snapshot.samples()) {
            if (sample.counter().name().equals("ring_rx_packets")) {
                String worker = sample.counter().label("worker");
                String itf = sample.counter().label("interface");
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("worker", Integer.parseInt(worker));
                row.put("interface", itf);
                for (String field : List.of("rx_packets", "rx_drops", "rx_freezes", "rx_truncated", "tx_frames",
                        "tx_kicks_deferred", "tx_malformed")) {
                    row.put(field, snapshot.sum("ring_" + field, "worker", worker, "interface", itf));
                }
                rings.add(row);
            }
        }
        root.put("rings", rings);
        root.put("connections", snapshot.sum("table_connections"));
        root.put("capacity", generation.config().table().capacity());
        // What the capacity policy did: a blind flood shows as evictions, never as refusals.
        Map<String, Object> tableCounters = new LinkedHashMap<>();
        tableCounters.put("inserts", snapshot.sum("table_inserts"));
        tableCounters.put("confirmed", snapshot.sum("table_confirmed"));
        tableCounters.put("evicted", snapshot.sum("table_evicted"));
        tableCounters.put("expired_when_full", snapshot.sum("table_expired_when_full"));
        tableCounters.put("refused_full", snapshot.sum("table_refused_full"));
        tableCounters.put("refused_source_limit", snapshot.sum("table_refused_source_limit"));
        root.put("table", tableCounters);
        List<Object> serviceList = new ArrayList<>();
        long nowMs = dataplane.clock().nowMs();
        for (int s = 0; s < services.serviceCount(); s++) {
            String name = services.name(s);
            Map<String, Object> service = new LinkedHashMap<>();
            service.put("name", name);
            service.put("vip", Ipv4.format(services.vip(s)));
            service.put("protocol", services.protocol(s) == 6 ? "tcp" : "udp");
            service.put("owned", dataplane.ownership().owns(services.vip(s)));
            service.put("packets", snapshot.sum("service_packets", "service", name));
            service.put("bytes", snapshot.sum("service_bytes", "service", name));
            service.put("connections_total", snapshot.sum("service_connections", "service", name));
            Map<String, Object> serviceDrops = new LinkedHashMap<>();
            for (DropReason reason : DropReason.values()) {
                long count = snapshot.sum("service_drops", "service", name, "reason", reason.label);
                if (count > 0) {
                    serviceDrops.put(reason.label, count);
                }
            }
            service.put("drops", snapshot.sum("service_drops", "service", name));
            service.put("drops_by_reason", serviceDrops);
            List<Object> serverList = new ArrayList<>();
            for (int i = 0; i < services.serverCount(s); i++) {
                int id = services.serverId(s, i);
                int choice = generation.health().addressChoice(id);
                int neighbour = services.neighbourOf(id, choice);
                String address = Ipv4.format(services.serverAddress(id));
                Map<String, Object> server = new LinkedHashMap<>();
                server.put("address", address);
                server.put("fallback", services.isFallback(id));
                // Removed by a reload, kept for its connections until they end: no new one goes there.
                server.put("departing", services.isDeparting(id));
                server.put("reached_at", Ipv4.format(services.serverAddress(id, choice)));
                int override = generation.health().weightOverride(id);
                server.put("weight", override >= 0 ? override : services.serverWeight(id));
                server.put("configured_weight", services.serverWeight(id));
                server.put("drained", generation.health().drained(id));
                server.put("health", switch (generation.health().health(id)) {
                    case ServerHealthBoard.UP -> "up";
                    case ServerHealthBoard.DOWN -> "down";
                    default -> "unchecked";
                });
                long mac = generation.neighbours().mac(neighbour);
                server.put("mac", mac < 0 ? null : dev.baton.codec.MacAddress.format(mac));
                server.put("resolved", generation.neighbours().resolved(neighbour, nowMs));
                server.put("packets", snapshot.sum("server_packets", "service", name, "server", address));
                server.put("bytes", snapshot.sum("server_bytes", "service", name, "server", address));
                server.put("connections_total", snapshot.sum("server_connections", "service", name, "server", address));
                server.put("connections_active", snapshot.sum("server_connections_active", "service", name, "server", address));
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
            // Copied before a reload that renumbered the servers, a row's ids may be another configuration's.
            boolean current = r.serviceId() < services.serviceCount() && r.serverId() < services.totalServers();
            row.put("service", current ? services.name(r.serviceId()) : "(renumbered by a reload)");
            row.put("server", current ? Ipv4.format(services.serverAddress(r.serverId())) : "(renumbered by a reload)");
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
        ServiceMap services = f.services(); // the worker's own: a reload may have come since the caller looked
        Map<String, Object> result = new LinkedHashMap<>();
        if (service >= services.serviceCount() || services.find(vip, protocol, vipPort) != service) {
            result.put("decision", "reloaded meanwhile: ask again");
            result.put("server", null);
            return result;
        }
        long nowMs = dataplane.clock().nowMs();
        // Availability is refreshed once per duty cycle; bring it up to date for an exact answer.
        f.schedulers().refreshAvailability(f.neighbours(), f.health(), nowMs);
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
}
