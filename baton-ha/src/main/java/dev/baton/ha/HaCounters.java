package dev.baton.ha;

import dev.baton.agent.CounterRegistry;
import dev.baton.agent.CycleProfile;
import dev.baton.agent.CounterRegistry.Label;
import dev.baton.agent.CounterRegistry.Type;
import dev.baton.dataplane.engine.AgentWatchdog;
import dev.baton.dataplane.engine.Dataplane;
import dev.baton.keepalive.KeepAliveManager;
import dev.baton.keepalive.LinkStatus;
import dev.baton.keepalive.PeerConfig;
import dev.baton.keepalive.PeerTransport;
import dev.baton.peer.Verdict;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * The HA layer's counters in the router's {@link CounterRegistry}: the agent's (peer messages by verdict and by
 * what was wrong with them, keep-alives per link, each VIP's monitor, the commands to the shards), read on the
 * agent's thread; and the replication counters of every worker's shard, per VIP, read on that worker's thread.
 */
final class HaCounters {

    private HaCounters() {
    }

    /**
     * @param agentThread runs a read on the agent's thread ({@link HaAgent#query})
     * @param heartbeatsWithheld the agent's count of cycles it sent no keep-alive after stalling within them
     */
    static void register(CounterRegistry registry, CounterRegistry.Owner agentThread, PeerMessages messages,
                         KeepAliveManager keepAlive, Peers peers, VipUnit[] groups, Replication replication,
                         AgentWatchdog watchdog, LongSupplier heartbeatsWithheld, CycleProfile profile, Dataplane dataplane) {
        CounterRegistry.Group agent = registry.group("the HA agent", agentThread);
        List<Verdict> verdicts = List.of(Verdict.values());
        for (Verdict verdict : verdicts) {
            agent.add("peer_datagrams", Type.COUNTER, "peer datagrams received, by the verifier's verdict",
                    new Label("verdict", verdict.name().toLowerCase()));
        }
        agent.add("peer_send_failures", Type.COUNTER, "peer datagrams the socket did not take");
        agent.add("peer_foreign_source_drops", Type.COUNTER, "datagrams from an address no link names");
        agent.add("peer_receive_errors", Type.COUNTER, "receive errors on the peer sockets");
        agent.add("peer_malformed_messages", Type.COUNTER, "authentic messages with a malformed payload");
        agent.add("peer_unknown_vip_records", Type.COUNTER, "records about a VIP this router does not have");
        agent.add("peer_streams_without_worker", Type.COUNTER, "sync messages for a worker this router does not have");
        agent.add("peer_sync_requests_refused", Type.COUNTER, "dump requests for a VIP this router is not active for");
        agent.add("peer_stale_state_claims", Type.COUNTER, "keep-alives and GAVE_UP notices older than one already acted on");
        agent.add("peer_ignored_before_echo", Type.COUNTER, "messages sent before their sender echoed this run's incarnation");
        agent.add("heartbeats_withheld_after_stall", Type.COUNTER, "cycles that sent no keep-alive: this router stalled within them");
        agent.add("watchdog_trips", Type.COUNTER, "times the data plane dropped every VIP: the agent was silent for t2");
        for (int p = 0; p < peers.count(); p++) {
            PeerConfig peer = peers.config(p);
            for (int l = 0; l < peer.links().size(); l++) {
                Label name = new Label("peer", peer.name());
                Label link = new Label("link", Integer.toString(l));
                agent.add("keepalives_sent", Type.COUNTER, "keep-alives sent on the link", name, link);
                agent.add("keepalives_received", Type.COUNTER, "keep-alives received on the link", name, link);
                agent.add("link_failures", Type.COUNTER, "times the link was declared failed (no keep-alive for the link failure time)", name, link);
                agent.add("link_alive", Type.GAUGE, "1 while keep-alives arrive on the link", name, link);
            }
        }
        for (VipUnit group : groups) {
            Label vip = new Label("vip", group.name);
            agent.add("vip_state", Type.GAUGE, "the VIP's FIG. 3 state, by reference numeral: 320 listen, 330 preempt, 340 standby, 350 active", vip);
            agent.add("vip_term", Type.GAUGE, "the VIP's term: raised by every takeover", vip);
            agent.add("vip_forwarding", Type.GAUGE, "1 while this router forwards the VIP's connections", vip);
            agent.add("vip_answering_arp", Type.GAUGE, "1 while this router answers ARP for the VIP", vip);
            agent.add("vip_transitions", Type.COUNTER, "the VIP monitor's transitions, sync sub-state changes included", vip);
            agent.add("gratuitous_arp_announcements", Type.COUNTER, "gratuitous ARP announcements of the VIP", vip);
        }
        for (int w = 0; w < replication.workers(); w++) {
            Label worker = new Label("worker", Integer.toString(w));
            agent.add("shard_commands_lost", Type.COUNTER, "agent commands lost: the worker's ring and the agent's backlog were full", worker);
            agent.add("shard_commands_backlogged", Type.GAUGE, "agent commands waiting for room in the worker's ring", worker);
        }
        profile.describe(agent, "agent");
        agent.reader(values -> {
            PeerTransport transport = messages.transport();
            PeerRuns runs = messages.runs();
            int at = 0;
            for (Verdict verdict : verdicts) {
                values[at++] = transport.verdicts().count(verdict);
            }
            values[at++] = transport.sendFailures();
            values[at++] = transport.foreignSourceDrops();
            values[at++] = transport.receiveErrors();
            values[at++] = messages.malformedMessages();
            values[at++] = messages.unknownVipRecords();
            values[at++] = messages.streamsWithoutWorker();
            values[at++] = messages.syncRequestsRefused();
            values[at++] = runs.staleStateClaims();
            values[at++] = runs.ignoredBeforeEcho();
            values[at++] = heartbeatsWithheld.getAsLong();
            values[at++] = watchdog.trips();
            for (int p = 0; p < peers.count(); p++) {
                for (LinkStatus link : keepAlive.status(peers.routerId(p)).links()) {
                    values[at++] = link.heartbeatsSent();
                    values[at++] = link.heartbeatsReceived();
                    values[at++] = link.failures();
                    values[at++] = link.state() == dev.baton.keepalive.LinkState.ALIVE ? 1 : 0;
                }
            }
            for (VipUnit group : groups) {
                values[at++] = group.monitor.state().code;
                values[at++] = group.monitor.term();
                values[at++] = group.forwarding ? 1 : 0;
                values[at++] = group.answeringArp ? 1 : 0;
                values[at++] = group.transitions;
                values[at++] = group.announcements.sent();
            }
            for (int w = 0; w < replication.workers(); w++) {
                ShardCommands commands = replication.shard(w).commands();
                values[at++] = commands.lost();
                values[at++] = commands.backlogged();
            }
            profile.read(values, at);
        });

        for (int w = 0; w < replication.workers(); w++) {
            registerShard(registry, dataplane, replication.shard(w), w, groups);
        }
    }

    /** One worker's replication counters per VIP, read on that worker's thread. */
    private static void registerShard(CounterRegistry registry, Dataplane dataplane, ReplicationShard shard, int w,
                                      VipUnit[] groups) {
        final int worker = w;
        CounterRegistry.Group group = registry.group("replication on worker " + w,
                read -> dataplane.query(worker, f -> read.get()));
        Label workerLabel = new Label("worker", Integer.toString(w));
        for (VipUnit unit : groups) {
            Label vip = new Label("vip", unit.name);
            group.add("sync_records_applied", Type.COUNTER, "replicated records applied to this table", workerLabel, vip);
            group.add("sync_apply_failures", Type.COUNTER, "replicated records this table could not hold", workerLabel, vip);
            group.add("sync_gaps", Type.COUNTER, "update batches missing from the stream (repaired by a resend or a dump)", workerLabel, vip);
            group.add("sync_resyncs", Type.COUNTER, "new dumps asked for", workerLabel, vip);
            group.add("sync_digest_mismatches", Type.COUNTER, "dumps whose digest differed from the active's", workerLabel, vip);
            group.add("sync_duplicates_or_stale", Type.COUNTER, "replicated messages already applied or from an old session", workerLabel, vip);
            group.add("sync_invalid_records", Type.COUNTER, "replicated records that failed the checks", workerLabel, vip);
            group.add("sync_dumps_sent", Type.COUNTER, "dumps sent to standbys", workerLabel, vip);
            group.add("sync_dump_records_sent", Type.COUNTER, "records sent in dumps", workerLabel, vip);
            group.add("sync_updates_sent", Type.COUNTER, "connection changes sent to standbys", workerLabel, vip);
            group.add("sync_batches_resent", Type.COUNTER, "update batches sent again", workerLabel, vip);
            group.add("sync_updates_unacknowledged", Type.GAUGE, "connection changes sent and not yet acknowledged", workerLabel, vip);
            group.add("sync_capacity_refusals", Type.COUNTER, "dumps refused: this table had no room for the active's", workerLabel, vip);
            group.add("sync_resumed_streams", Type.COUNTER, "streams to a standby resumed with a new dump after it was heard again", workerLabel, vip);
            group.add("sync_held_batches", Type.COUNTER, "update batches that arrived beyond a gap and were held for it", workerLabel, vip);
            group.add("sync_trailed_records_skipped", Type.COUNTER, "records of the old active's stream, trailed after a takeover, not applied:"
                    + " removals, and connections this table had", workerLabel, vip);
            group.add("sync_stale_requests", Type.COUNTER, "sync requests of an older session, ignored", workerLabel, vip);
            group.add("sync_stale_acknowledgements", Type.COUNTER, "acknowledgements of an earlier session or an already repaired gap, ignored",
                    workerLabel, vip);
            group.add("sync_synchronized", Type.GAUGE, "1 while this worker's copy is synchronized with the active's", workerLabel, vip);
        }
        group.add("sync_inbound_dropped", Type.COUNTER, "sync messages for this worker dropped: its ring was full", workerLabel);
        group.add("sync_outbound_dropped", Type.COUNTER, "sync messages from this worker dropped: the agent's ring was full", workerLabel);
        group.reader(values -> {
            int at = 0;
            SyncCounters last = null;
            for (VipUnit unit : groups) {
                SyncCounters c = shard.counters(unit.index);
                values[at++] = c.recordsApplied();
                values[at++] = c.applyFailures();
                values[at++] = c.gaps();
                values[at++] = c.resyncs();
                values[at++] = c.digestMismatches();
                values[at++] = c.duplicatesOrStale();
                values[at++] = c.invalidRecords();
                values[at++] = c.dumpsSent();
                values[at++] = c.dumpRecordsSent();
                values[at++] = c.updatesSent();
                values[at++] = c.batchesResent();
                values[at++] = c.updatesUnacknowledged();
                values[at++] = c.capacityRefusals();
                values[at++] = c.resumedStreams();
                values[at++] = c.heldBatches();
                values[at++] = c.trailedRecordsSkipped();
                values[at++] = c.staleRequests();
                values[at++] = c.staleAcknowledgements();
                values[at++] = c.synchronized_() ? 1 : 0;
                last = c;
            }
            values[at++] = last == null ? 0 : last.inboundDropped();
            values[at] = last == null ? 0 : last.outboundDropped();
        });
    }
}
