package dev.baton.ha;

import dev.baton.config.BatonConfig;
import dev.baton.config.ReachabilitySettings;
import dev.baton.monitor.MonitorState;
import dev.baton.peer.MessageType;
import dev.baton.peer.ReachabilityReportFlyweight;
import dev.baton.peer.ServiceNoticeFlyweight;
import dev.baton.reachability.CompareFunction;
import dev.baton.reachability.Hysteresis;
import dev.baton.reachability.Judgement;
import dev.baton.reachability.ReachabilityManager;
import dev.baton.reachability.ReportChunks;
import java.util.ArrayList;
import java.util.List;

/**
 * The reach-ability manager's seat in the agent (RM 230, FIG. 4): it sends this router's reports to the peers,
 * hands the peers' chunks to the {@link ReachabilityManager}, and, for every VIP active here, runs the active
 * RM's decision and asks the router it chooses to take the VIP over (a TAKEOVER_REQUEST with reason
 * reachability; the standby preempts by transition 345, and the hand-over is the switch-over's, loss-free).
 * Agent thread only.
 */
final class ReachabilitySeat {

    /** The active RM decides at most this often: a decision allocates its order, and the hold is in seconds. */
    static final long JUDGE_EVERY_MS = 100;

    /** What the seat asks of the agent. */
    interface Agent {
        /** Whether peer {@code p} could take VIP {@code group} over now (a synchronized standby of this router). */
        boolean synchronizedStandby(VipUnit group, int p);

        /** Why peer {@code p} cannot take the VIP over now, for the order {@code ctl reachability} shows. */
        String notReady(VipUnit group, int p);

        /** Whether this router is stopping (a stopping router hands its VIPs over by other means). */
        boolean stopping();

        /** Carries out what a VIP's monitor answered. */
        void execute(VipUnit group, java.util.List<dev.baton.monitor.MonitorAction> actions, long nowMs);
    }

    private final ReachabilityManager manager;
    private final VipUnit[] groups;
    private final Peers peers;
    private final PeerMessages messages;
    private final HaEventLog events;
    private final Agent agent;
    private final ReachabilityReportFlyweight chunkOut = new ReachabilityReportFlyweight();
    private final boolean[] judging;
    private final boolean[] ready;
    private final String[] notReady;
    private long nextJudgementMs;
    private long takeoversRequested;
    private long reportsReceived;

    /**
     * The seat of {@code config}'s reachability set, its manager built from the set, the compare function and the
     * peers (RM 230); {@code null} when the configuration has no reachability section.
     */
    static ReachabilitySeat of(BatonConfig config, VipUnit[] groups, Peers peers, PeerMessages messages, HaEventLog events,
                               Agent agent) {
        return config.reachability().map(settings -> new ReachabilitySeat(manager(config.router().id(), settings, peers,
                groups.length), groups, peers, messages, events, agent)).orElse(null);
    }

    private static ReachabilityManager manager(String routerId, ReachabilitySettings settings, Peers peers, int vips) {
        List<ReachabilityManager.Element> elements = new ArrayList<>();
        for (ReachabilitySettings.Target target : settings.targets()) {
            elements.add(new ReachabilityManager.Element(target.name(), target.weight(), target.required()));
        }
        List<String> peerNames = new ArrayList<>();
        for (int p = 0; p < peers.count(); p++) {
            peerNames.add(peers.name(p));
        }
        return new ReachabilityManager(routerId, elements, CompareFunction.valueOf(settings.compare().name()),
                new Hysteresis(settings.minImprovement(), settings.hold()), settings.reportInterval().toMillis(), peerNames, vips);
    }

    ReachabilitySeat(ReachabilityManager manager, VipUnit[] groups, Peers peers, PeerMessages messages, HaEventLog events,
                     Agent agent) {
        this.manager = manager;
        this.groups = groups;
        this.peers = peers;
        this.messages = messages;
        this.events = events;
        this.agent = agent;
        this.judging = new boolean[groups.length];
        this.ready = new boolean[peers.count()];
        this.notReady = new String[peers.count()];
    }

    /** Sends a due report, then, at most every {@link #JUDGE_EVERY_MS}, decides for each VIP active here. */
    int poll(long nowMs) {
        int work = 0;
        ReportChunks due = manager.reportDue(nowMs);
        if (due != null) {
            for (int p = 0; p < peers.count(); p++) {
                for (int c = 0; c < due.chunks(); c++) {
                    messages.sendReachabilityReport(p, due, c, chunkOut, nowMs);
                    work++;
                }
            }
        }
        if (nowMs < nextJudgementMs) {
            return work;
        }
        nextJudgementMs = nowMs + JUDGE_EVERY_MS;
        for (VipUnit group : groups) {
            boolean active = group.monitor.state() == MonitorState.ACTIVE && !agent.stopping();
            if (!active) {
                if (judging[group.index]) {
                    judging[group.index] = false;
                    manager.vipLeftActive(group.index);
                }
                compareWithTheActive(group, nowMs);
                continue;
            }
            judging[group.index] = true;
            for (int p = 0; p < peers.count(); p++) {
                ready[p] = agent.synchronizedStandby(group, p);
                notReady[p] = ready[p] ? "" : agent.notReady(group, p);
            }
            Judgement judgement = manager.judge(group.index, nowMs, ready, notReady);
            if (judgement.handsOver()) {
                int heir = indexOfName(judgement.handTo());
                if (heir >= 0) {
                    takeoversRequested++;
                    events.note(nowMs, group.name, 345, "reachability: " + judgement.reason(), false);
                    messages.sendNotice(heir, MessageType.TAKEOVER_REQUEST, group.index,
                            ServiceNoticeFlyweight.REASON_REACHABILITY, nowMs);
                    work++;
                }
            }
        }
        return work;
    }

    /**
     * On a router not active for the VIP: whether it reaches less than the peer that is, so that a primary does not
     * fail back to a router its own active RM would hand the VIP away from again.
     */
    private void compareWithTheActive(VipUnit group, long nowMs) {
        boolean reachesLess = false;
        String detail = "";
        for (int p = 0; p < peers.count(); p++) {
            VipUnit.PeerRecord record = group.peerRecords[p];
            if (record != null && record.state() == MonitorState.ACTIVE && manager.reachesLessThan(p, nowMs)) {
                reachesLess = true;
                detail = "unreachable here: " + manager.ownReport().unreachableNames() + "; at " + peers.name(p) + ": "
                        + manager.peerReport(p, nowMs).unreachableNames();
                break;
            }
        }
        agent.execute(group, group.monitor.onReachabilityCompared(reachesLess, detail, nowMs), nowMs);
    }

    /**
     * The reach-ability manager's counters, read on the agent's thread: reports sent and completed, takeovers
     * requested, and per peer the chunks dropped as stale or inconsistent; per element of this router's set, its
     * health (1 reachable, 0 not, -1 no probe result yet).
     */
    void registerCounters(dev.baton.agent.CounterRegistry registry, dev.baton.agent.CounterRegistry.Owner agentThread) {
        dev.baton.agent.CounterRegistry.Group group = registry.group("the reach-ability manager", agentThread);
        var counter = dev.baton.agent.CounterRegistry.Type.COUNTER;
        var gauge = dev.baton.agent.CounterRegistry.Type.GAUGE;
        group.add("reachability_reports_sent", counter, "this router's reports sent (each to every peer, in chunks)");
        group.add("reachability_reports_received", counter, "peer reports completed (every chunk of a generation in)");
        group.add("reachability_takeovers_requested", counter, "VIPs this active router's RM asked a better standby to take over (345)");
        for (int p = 0; p < peers.count(); p++) {
            var peer = new dev.baton.agent.CounterRegistry.Label("peer", peers.name(p));
            group.add("reachability_stale_chunks", counter, "report chunks of an older generation than one already seen", peer);
            group.add("reachability_inconsistent_chunks", counter, "report chunks whose element count disagreed with their generation's", peer);
        }
        for (ReachabilityManager.Element element : manager.set()) {
            group.add("reachability_element_up", gauge, "1 while this router reaches the element, 0 while not, -1 before its first probe result",
                    new dev.baton.agent.CounterRegistry.Label("element", element.name()));
        }
        group.reader(values -> {
            int at = 0;
            values[at++] = manager.reportsSent();
            values[at++] = reportsReceived;
            values[at++] = takeoversRequested;
            for (int p = 0; p < peers.count(); p++) {
                values[at++] = manager.assembler(p).staleChunks();
                values[at++] = manager.assembler(p).inconsistentChunks();
            }
            for (int e = 0; e < manager.set().size(); e++) {
                values[at++] = switch (manager.health(e)) {
                    case UP -> 1;
                    case DOWN -> 0;
                    case UNKNOWN -> -1;
                };
            }
        });
    }

    /** A valid chunk of peer {@code peer}'s report. */
    void onChunk(int peer, ReachabilityReportFlyweight chunk, long nowMs) {
        if (manager.offer(peer, chunk, nowMs)) {
            reportsReceived++;
        }
    }

    /** Peer {@code peer} restarted: its old report is void. */
    void peerRestarted(int peer) {
        manager.peerRestarted(peer);
    }

    /** What {@code baton ctl reachability} shows: this router's set and state, each peer's, each VIP's last decision. */
    java.util.Map<String, Object> status(long nowMs) {
        java.util.Map<String, Object> root = new java.util.LinkedHashMap<>();
        dev.baton.reachability.ReachabilityJudge anyJudge = manager.judge(0);
        root.put("router", manager.ownReport().router());
        root.put("compare", anyJudge.function().configName());
        root.put("min_improvement", anyJudge.hysteresis().minImprovement());
        root.put("hold_ms", anyJudge.hysteresis().hold().toMillis());
        root.put("settled", manager.ownReport().settled());
        root.put("elements", elements(manager.ownReport()));
        root.put("reports_sent", manager.reportsSent());
        java.util.List<Object> peerList = new java.util.ArrayList<>();
        for (int p = 0; p < peers.count(); p++) {
            java.util.Map<String, Object> peer = new java.util.LinkedHashMap<>();
            peer.put("name", peers.name(p));
            dev.baton.reachability.ReportAssembler assembler = manager.assembler(p);
            dev.baton.reachability.ReachabilityReport report = manager.peerReport(p, nowMs);
            peer.put("current", report != null);
            peer.put("report_age_ms", assembler.report() == null ? null : nowMs - assembler.reportAtMs());
            peer.put("generation", assembler.report() == null ? null : assembler.generation());
            peer.put("elements", assembler.report() == null ? java.util.List.of() : elements(assembler.report()));
            peer.put("stale_chunks", assembler.staleChunks());
            peer.put("inconsistent_chunks", assembler.inconsistentChunks());
            peerList.add(peer);
        }
        root.put("peers", peerList);
        java.util.List<Object> vips = new java.util.ArrayList<>();
        for (VipUnit group : groups) {
            java.util.Map<String, Object> vip = new java.util.LinkedHashMap<>();
            vip.put("vip", group.name);
            vip.put("active_here", judging[group.index]);
            Judgement last = manager.lastJudgement(group.index);
            if (last != null) {
                java.util.List<Object> order = new java.util.ArrayList<>();
                for (Judgement.Ranked ranked : last.order()) {
                    java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
                    row.put("router", ranked.router());
                    row.put("self", ranked.self());
                    row.put("score", ranked.score().value());
                    row.put("all_required", ranked.score().allRequired());
                    row.put("reachable", ranked.reachable());
                    row.put("elements", ranked.elements());
                    row.put("unreachable", ranked.unreachable());
                    row.put("better_for_ms", ranked.betterForMs());
                    row.put("ready", ranked.ready());
                    order.add(row);
                }
                vip.put("order", order);
                vip.put("hand_to", last.handTo());
                vip.put("reason", last.reason());
            }
            vips.add(vip);
        }
        root.put("vips", vips);
        root.put("takeovers_requested", takeoversRequested);
        return root;
    }

    private static java.util.List<Object> elements(dev.baton.reachability.ReachabilityReport report) {
        java.util.List<Object> list = new java.util.ArrayList<>();
        for (dev.baton.reachability.ElementReport element : report.elements()) {
            java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
            row.put("name", element.name());
            row.put("weight", element.weight());
            row.put("required", element.required());
            row.put("health", element.health().word());
            list.add(row);
        }
        return list;
    }

    private int indexOfName(String name) {
        for (int p = 0; p < peers.count(); p++) {
            if (peers.name(p).equals(name)) {
                return p;
            }
        }
        return -1;
    }

    ReachabilityManager manager() {
        return manager;
    }

    long takeoversRequested() {
        return takeoversRequested;
    }

    long reportsReceived() {
        return reportsReceived;
    }
}
