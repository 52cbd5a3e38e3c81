package dev.baton.ha;

import dev.baton.agent.CounterRegistry;
import dev.baton.codec.Ipv4;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.peer.MessageType;
import dev.baton.peer.ServerSettingsFlyweight;
import dev.baton.sync.OperatorSettings;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operator's run-time settings of servers (drain, weight) kept identical on every router of the group, so
 * that a takeover, a crash of the active router included, keeps them: the part of the configuration tables an
 * operator changes while the routers run, which the synchronization manager keeps on the standbys (US 6,148,410,
 * SM 220).
 *
 * <p>Each server's settings are a last-writer-wins register ({@link OperatorSettings}). A command given here
 * ({@code baton ctl drain} on any router, active or standby) changes the register and goes onto the
 * {@link ServerHealthBoard} the workers read, and every set register is sent to every peer (SERVER_SETTINGS,
 * docs/protocol.md) at once, every {@link #REFRESH_MS} after, and to a peer that has just restarted. A register a
 * peer sends with a newer stamp is taken and put on the board: a standby forwards nothing, but when it takes over,
 * its workers already schedule by the drains and weights in force.
 *
 * <p>A server is named on the wire by its service's name and its configured address; a record naming a server this
 * router does not have (the configurations differ) is counted and skipped. Agent thread only.
 */
final class OperatorSettingsSeat {

    /** Every set register goes to every peer this often, so a lost datagram is repaired within about a second. */
    static final long REFRESH_MS = 1_000;

    private static final int RECORDS_PER_MESSAGE = MessageType.SERVER_SETTINGS.maxRecords();

    /** The registers, the services they name and the board they go on: replaced together by {@link #reconfigure}. */
    private OperatorSettings registers;
    private ServiceMap services;
    private ServerHealthBoard board;
    private final Peers peers;
    private final PeerMessages messages;
    private final HaEventLog events;
    private byte[][] serviceNames;
    /** (service index << 32 | configured address), sorted, with the server id of each in {@link #idOfKey}. */
    private long[] keys;
    private int[] idOfKey;
    private final ServerSettingsFlyweight out = new ServerSettingsFlyweight();
    /**
     * Per peer that restarted: the keep-alives sent to it when it was heard restarted, or -1 when nothing is owed.
     * Its new run counts this router's messages only from the first keep-alive that echoes its new incarnation
     * (docs/protocol.md, "Restart and replay"), so the settings go after one more keep-alive has gone out.
     */
    private final long[] owedAfterHeartbeats;
    private boolean changed;
    private long nextRefreshMs = Long.MIN_VALUE;
    private long messagesSent;
    private long messagesReceived;
    private long recordsTaken;
    private long recordsUnknown;

    OperatorSettingsSeat(long routerNumber, long incarnation, ServiceMap services, ServerHealthBoard board, Peers peers,
                         PeerMessages messages, HaEventLog events) {
        this.services = services;
        this.board = board;
        this.peers = peers;
        this.messages = messages;
        this.events = events;
        this.registers = new OperatorSettings(services.totalServers(), routerNumber, incarnation);
        this.owedAfterHeartbeats = new long[peers.count()];
        Arrays.fill(owedAfterHeartbeats, -1);
        index(services);
    }

    /** Names each service and keys each configured server (departing ones are not the operator's to set). */
    private void index(ServiceMap services) {
        this.serviceNames = new byte[services.serviceCount()][];
        for (int s = 0; s < serviceNames.length; s++) {
            serviceNames[s] = services.name(s).getBytes(StandardCharsets.US_ASCII);
        }
        int total = services.configuredTotalServers();
        Integer[] byKey = new Integer[total];
        for (int id = 0; id < total; id++) {
            byKey[id] = id;
        }
        Arrays.sort(byKey, java.util.Comparator.comparingLong(id -> key(services.serviceOfServer(id), services.serverAddress(id))));
        this.keys = new long[total];
        this.idOfKey = new int[total];
        for (int k = 0; k < total; k++) {
            idOfKey[k] = byKey[k];
            keys[k] = key(services.serviceOfServer(byKey[k]), services.serverAddress(byKey[k]));
        }
    }

    /**
     * A reload renumbered the servers ({@code remap}): each register moves to its server's new id, a removed server's
     * is dropped, and every set register is put on {@code nextBoard} (which the data plane carried over already; this
     * makes sure of it) and sent to every peer again at the next poll, so a peer that reloads too ends with the same.
     */
    void reconfigure(ServiceMap next, ServerHealthBoard nextBoard, dev.baton.dataplane.service.ServerRemap remap) {
        int[] newIdOf = new int[remap.oldServers()];
        for (int id = 0; id < newIdOf.length; id++) {
            int to = remap.server(id);
            newIdOf[id] = to >= 0 && to < next.configuredTotalServers() ? to : -1;
        }
        registers = registers.carriedTo(next.totalServers(), newIdOf);
        services = next;
        board = nextBoard;
        index(next);
        for (int id = 0; id < registers.servers(); id++) {
            if (registers.set(id)) {
                apply(id);
            }
        }
        changed = true;
    }

    private static long key(int service, int address) {
        return (long) service << 32 | Integer.toUnsignedLong(address);
    }

    // ---- commands (agent thread, from the control socket) -------------------------------------------------

    /** An operator here drained or undrained server {@code id}. */
    void drain(int id, boolean drained, long nowMs) {
        registers.drain(id, drained, events.epochMs() / 1000);
        apply(id);
        changed = true;
        events.note(nowMs, "", 0, "operator: " + describe(id) + (drained ? " drained" : " undrained") + " here", false);
    }

    /** An operator here set server {@code id}'s weight. */
    void weight(int id, int weight, long nowMs) {
        registers.weight(id, weight, events.epochMs() / 1000);
        apply(id);
        changed = true;
        events.note(nowMs, "", 0, "operator: " + describe(id) + " weight " + weight + " here", false);
    }

    private void apply(int id) {
        board.drained(id, registers.drained(id));
        board.weightOverride(id, registers.weight(id));
    }

    private String describe(int id) {
        return services.name(services.serviceOfServer(id)) + " " + Ipv4.format(services.serverAddress(id));
    }

    // ---- peers --------------------------------------------------------------------------------------------

    /** Peer {@code peer} restarted: it holds none of the settings; it gets them all once it counts this router's messages. */
    void peerRestarted(int peer) {
        owedAfterHeartbeats[peer] = messages.heartbeatsSentTo(peer);
    }

    /** A valid SERVER_SETTINGS message from peer {@code peer}: each record with a newer stamp is taken. */
    void onMessage(int peer, ServerSettingsFlyweight message, long nowMs) {
        messagesReceived++;
        for (int r = 0; r < message.recordCount(); r++) {
            int id = serverOf(message, r);
            if (id < 0) {
                recordsUnknown++;
                continue;
            }
            int weight = message.weight(r) == ServerSettingsFlyweight.CONFIGURED_WEIGHT ? OperatorSettings.CONFIGURED : message.weight(r);
            boolean wasDrained = registers.drained(id);
            int wasWeight = registers.weight(id);
            if (!registers.offer(id, message.version(r), message.origin(r), message.incarnation(r), message.drained(r), weight)) {
                continue;
            }
            recordsTaken++;
            apply(id);
            if (wasDrained != registers.drained(id) || wasWeight != weight) {
                events.note(nowMs, "", 0, "operator (given on " + peers.name(peer) + " or before it): " + describe(id)
                        + (registers.drained(id) ? " drained" : " not drained") + ", weight "
                        + (weight == OperatorSettings.CONFIGURED ? "as configured" : weight), false);
            }
        }
    }

    /** The server id record {@code r} names, or -1 when this router has no such server. Allocates nothing. */
    private int serverOf(ServerSettingsFlyweight message, int r) {
        int length = message.serviceLength(r);
        for (int s = 0; s < serviceNames.length; s++) {
            byte[] name = serviceNames[s];
            if (name.length != length) {
                continue;
            }
            int b = 0;
            while (b < length && name[b] == message.serviceByte(r, b)) {
                b++;
            }
            if (b == length) {
                int k = Arrays.binarySearch(keys, key(s, message.address(r)));
                return k >= 0 ? idOfKey[k] : -1;
            }
        }
        return -1;
    }

    /** Sends what is due: every set register to every peer after a change and every {@link #REFRESH_MS}; all to a peer that restarted. */
    int poll(long nowMs) {
        boolean refresh = nowMs >= nextRefreshMs;
        if (!changed && !refresh && !anyOwed()) {
            return 0;
        }
        if (changed || refresh) {
            nextRefreshMs = nowMs + REFRESH_MS;
        }
        int work = 0;
        for (int p = 0; p < peers.count(); p++) {
            boolean owed = owedAfterHeartbeats[p] >= 0 && messages.heartbeatsSentTo(p) > owedAfterHeartbeats[p];
            if (changed || refresh || owed) {
                owedAfterHeartbeats[p] = -1;
                work += sendAll(p, nowMs);
            }
        }
        changed = false;
        return work;
    }

    private boolean anyOwed() {
        for (long owed : owedAfterHeartbeats) {
            if (owed >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Every set register to peer {@code peer}, {@link #RECORDS_PER_MESSAGE} to a message; none when nothing is set. */
    private int sendAll(int peer, long nowMs) {
        int messagesNow = 0;
        int id = 0;
        while (id < registers.servers()) {
            int records = 0;
            out.wrap(messages.sendBuffer(), dev.baton.peer.PeerHeaderFlyweight.PAYLOAD_OFFSET,
                    MessageType.SERVER_SETTINGS.payloadLength(RECORDS_PER_MESSAGE));
            for (; id < registers.servers() && records < RECORDS_PER_MESSAGE; id++) {
                if (registers.set(id)) {
                    int weight = registers.weight(id);
                    out.record(records++, serviceNames[services.serviceOfServer(id)], services.serverAddress(id),
                            registers.version(id), registers.origin(id), registers.incarnation(id),
                            weight == OperatorSettings.CONFIGURED ? ServerSettingsFlyweight.CONFIGURED_WEIGHT : weight,
                            registers.drained(id));
                }
            }
            if (records > 0) {
                out.count(records);
                messages.sendServerSettings(peer, MessageType.SERVER_SETTINGS.payloadLength(records), nowMs);
                messagesSent++;
                messagesNow++;
            }
        }
        return messagesNow;
    }

    // ---- status -------------------------------------------------------------------------------------------

    /** The registers an operator has set, for {@code baton ctl status}. */
    Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        java.util.List<Object> set = new java.util.ArrayList<>();
        for (int id = 0; id < registers.servers(); id++) {
            if (!registers.set(id)) {
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("service", services.name(services.serviceOfServer(id)));
            row.put("server", Ipv4.format(services.serverAddress(id)));
            row.put("drained", registers.drained(id));
            row.put("weight", registers.weight(id) == OperatorSettings.CONFIGURED ? null : registers.weight(id));
            row.put("version", registers.version(id));
            row.put("origin", routerName(registers.origin(id)));
            row.put("origin_incarnation", Long.toUnsignedString(registers.incarnation(id)));
            set.add(row);
        }
        status.put("servers", set);
        status.put("messages_sent", messagesSent);
        status.put("messages_received", messagesReceived);
        status.put("records_taken", recordsTaken);
        status.put("records_unknown", recordsUnknown);
        return status;
    }

    private String routerName(long routerNumber) {
        for (int p = 0; p < peers.count(); p++) {
            if (Integer.toUnsignedLong(peers.routerId(p)) == routerNumber) {
                return peers.name(p);
            }
        }
        return "this router";
    }

    /** Messages sent and received, records taken and records naming a server this router does not have. */
    void registerCounters(CounterRegistry registry, CounterRegistry.Owner agentThread) {
        CounterRegistry.Group group = registry.group("the operator's server settings", agentThread);
        group.add("server_settings_messages_sent", CounterRegistry.Type.COUNTER, "SERVER_SETTINGS messages sent (each set drain and weight, to every peer)");
        group.add("server_settings_messages_received", CounterRegistry.Type.COUNTER, "SERVER_SETTINGS messages received");
        group.add("server_settings_records_taken", CounterRegistry.Type.COUNTER, "a peer's drain or weight newer than this router's, taken");
        group.add("server_settings_records_unknown", CounterRegistry.Type.COUNTER, "a peer's record naming a server this router's configuration does not have");
        group.reader(values -> {
            values[0] = messagesSent;
            values[1] = messagesReceived;
            values[2] = recordsTaken;
            values[3] = recordsUnknown;
        });
    }

    OperatorSettings registers() {
        return registers;
    }
}
