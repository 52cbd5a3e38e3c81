package dev.baton.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The monitoring manager's finite state machine (US 6,148,410, FIG. 3) for one service: a pure function
 * of the events it is given and the time they carry. It returns the actions to carry out, in order, and
 * reports every transition to a listener with its reason; it performs no I/O and reads no clock.
 *
 * <pre>
 *            start (315)                 t1 expired (326)
 *   IDLE ───────────────► LISTEN ───────────────────────────────────────► ACTIVE ◄──────┐
 *    ▲                      │ active heard (325)                          │  ▲  ▲      │ t4: action 351
 *    │ stop (311)           ▼                                             │  │  └──────┘
 *    │                   STANDBY ──── t2 expired / active lost (348) ─────┘  │
 *    │                   │  ▲  ▲                                             │
 *    │  synchronized &   │  │  └──── switch-over query answered (355) ◄── ACTIVE
 *    │  primary+auto     │  │
 *    │  (346), better    ▼  │ t3 expired or accepted (335) ──────────────────► ACTIVE
 *    │  reachability  PREEMPT
 *    │  (345), operator (347)
 * </pre>
 *
 * <p>Rules beyond the figure, against what users of keepalived suffer from (failback with an empty table, split
 * brain, stale ARP after a partition heals):
 * <ul>
 *   <li>A standby that is not synchronized never preempts (345, 346, 347 are refused and logged); it takes
 *       the VIP only when the active is gone (348).</li>
 *   <li>Every takeover starts a new {@link #term()}, one above every term heard. Two actives resolve by term:
 *       a claim with a lower term than this router's own was made before this router's takeover, by a router
 *       that has been replaced (it stalled longer than t2, or the claim was delayed) and will yield when it
 *       hears this one; the higher term keeps the VIP. Equal terms (two takeovers from the same state, on both
 *       sides of a partition) resolve by {@link PeerView#precedes}: the loser goes standby and resynchronizes,
 *       the winner re-announces with gratuitous ARP.</li>
 *   <li>A router that is not synchronized takes nothing over (t1, t2, a lost or resigning active) while it
 *       hears, within t2, a synchronized standby that could: that one holds every connection, and takes the
 *       VIP itself (it hears the same silence, or the same GAVE_UP).</li>
 *   <li>A router whose own client- or server-facing link is down gives the VIP up at once and tells its peers
 *       (the patent's connectivity failures 2(a), 2(b)); while a link is down it takes nothing over.</li>
 *   <li>After handing over (355) the old active stops answering ARP at once but keeps forwarding for
 *       {@link MonitorTimers#handoverDrainMs()}, so frames already on their way are not dropped.</li>
 * </ul>
 *
 * <p>Not thread-safe: one thread (the HA agent's) drives it.
 */
public final class ServiceMonitor {

    private final String service;
    private final String routerId;
    private final Role role;
    private final Failback failback;
    private final int priority;
    private final MonitorTimers timers;
    private final Consumer<Transition> listener;

    private MonitorState state = MonitorState.IDLE;
    private SyncState sync = SyncState.NONE;
    private boolean linksUp = true;
    /**
     * Set when this primary handed its VIP over at a standby's request (355, an operator's switch-over): it
     * does not take the VIP back by automatic failback (346) until it is active again or restarts, or the
     * operator's intent would last only as long as a resynchronization.
     */
    private boolean failbackHeldOff;
    /**
     * Set while the reach-ability manager finds this router reaches less than the VIP's active (FIG. 4): an
     * automatic failback (346) would hand the VIP to the worse router, whose active RM would hand it back after
     * its hold (345), a ping-pong that moves every connection twice.
     */
    private boolean reachesLessThanActive;
    /** The transition that led into the last PREEMPT: 345 (better reachability), 346 (failback) or 347 (operator). */
    private int preemptReference;
    /**
     * No automatic failback (346) before this time: the hand-over drain plus t3 after this router last left
     * ACTIVE. The router that took the VIP trails this router's update stream that long, and this router's last
     * changes (an update lost on the way and resent on that stream) would be lost if it took the VIP back at
     * once with the new active's dump as its table: the simulation found a primary yield (341) and fail back in
     * 4 ms, without a connection it had opened 140 ms before. It also damps a yield-failback ping-pong.
     */
    private long failbackNotBeforeMs = Long.MIN_VALUE;
    /**
     * The standby this router last handed the VIP to (355), and when: if it declines (it had abandoned its
     * preemption before the accept reached it), this router, still draining, takes the VIP back.
     */
    private String handedOverTo;
    private long handedOverAtMs;
    /** This router's term when it handed the VIP over: a claim heard since with a higher one is a newer takeover. */
    private long handedOverTerm;
    private String activePeer;
    /** When this router entered LISTEN. */
    private long listenedSinceMs;
    /** The term of this router's last takeover (0 before the first). */
    private long term;
    /** The highest term heard from any peer. */
    private long highestTermHeard;
    /** The last view heard from each peer, with when: whether a synchronized standby is around. */
    private final java.util.Map<String, HeardPeer> heard = new java.util.HashMap<>();
    /** Deadlines in ms, or Long.MAX_VALUE when the timer is not running. */
    private long listenDeadlineMs = Long.MAX_VALUE;
    private long standbyDeadlineMs = Long.MAX_VALUE;
    private long preemptDeadlineMs = Long.MAX_VALUE;
    private long updateDeadlineMs = Long.MAX_VALUE;
    private long drainDeadlineMs = Long.MAX_VALUE;
    private Transition last;

    public ServiceMonitor(String service, String routerId, Role role, Failback failback, int priority,
                          MonitorTimers timers, Consumer<Transition> listener) {
        this.service = service;
        this.routerId = routerId;
        this.role = role;
        this.failback = failback;
        this.priority = priority;
        this.timers = timers;
        this.listener = listener;
    }

    public MonitorState state() {
        return state;
    }

    public SyncState sync() {
        return sync;
    }

    public String service() {
        return service;
    }

    public Role role() {
        return role;
    }

    public int priority() {
        return priority;
    }

    public String routerId() {
        return routerId;
    }

    /**
     * The term this router claims in its keep-alives: its own takeover's while active, else the highest it
     * knows (so that a router that takes over next goes above it).
     */
    public long term() {
        return state == MonitorState.ACTIVE ? term : Math.max(term, highestTermHeard);
    }

    /** The active peer this standby follows, or null. */
    public String activePeer() {
        return activePeer;
    }

    /** The last transition (or notable event), or null before the first. */
    public Transition last() {
        return last;
    }

    public boolean linksUp() {
        return linksUp;
    }

    /** The earliest running deadline: when {@link #onTick} next has something to do. */
    public long nextDeadlineMs() {
        long failbackDeadlineMs = state == MonitorState.STANDBY && sync == SyncState.IN_SYNC && failbackNotBeforeMs != Long.MIN_VALUE
                ? failbackNotBeforeMs : Long.MAX_VALUE;
        return Math.min(Math.min(Math.min(listenDeadlineMs, standbyDeadlineMs), failbackDeadlineMs),
                Math.min(Math.min(preemptDeadlineMs, updateDeadlineMs), drainDeadlineMs));
    }

    // ---------------------------------------------------------------------------------------------- events

    /** Transition 315: the backup function is enabled; action 321. */
    public List<MonitorAction> start(long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        if (state != MonitorState.IDLE) {
            note(nowMs, 315, "start ignored: already " + state);
            return actions;
        }
        enterListen(nowMs, 315, "started: listening " + timers.listenTimeoutMs() + " ms (t1) for an active router", actions);
        return actions;
    }

    /** Action 311: the backup function is disabled; the router serves the VIP alone. */
    public List<MonitorAction> stop(long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        stopTimers();
        activePeer = null;
        move(MonitorState.IDLE, SyncState.NONE, nowMs, 311, "backup function disabled: serving alone");
        actions.add(new MonitorAction.Forward(true));
        actions.add(new MonitorAction.AnswerArp(true));
        return actions;
    }

    /** Timers: t1 (326), t2 (348), t3 (335), t4 (action 351) and the hand-over drain. */
    public List<MonitorAction> onTick(long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        if (nowMs >= drainDeadlineMs) {
            drainDeadlineMs = Long.MAX_VALUE;
            if (state != MonitorState.ACTIVE) {
                actions.add(new MonitorAction.Forward(false));
                note(nowMs, 355, "hand-over drain over: no longer forwarding");
            }
        }
        switch (state) {
            case LISTEN -> {
                if (nowMs >= listenDeadlineMs) {
                    String standby = synchronizedStandbyHeard(nowMs);
                    if (standby != null) {
                        listenDeadlineMs = nowMs + timers.standbyTimeoutMs();
                        note(nowMs, 326, "t1 expired, but " + standby + " is a synchronized standby that could take the VIP:"
                                + " this router, with no copy of the table, leaves it to " + standby);
                    } else if (linksUp) {
                        enterActive(nowMs, 326, "no active router heard within " + (listenedSinceMs == nowMs - timers.listenTimeoutMs()
                                ? "t1 (" + timers.listenTimeoutMs() + " ms)" : (nowMs - listenedSinceMs) + " ms"), actions);
                    } else {
                        listenDeadlineMs = nowMs + timers.listenTimeoutMs();
                        note(nowMs, 326, "t1 expired but a local link is down: not taking the VIP; listening again");
                    }
                }
            }
            case STANDBY -> {
                if (nowMs >= standbyDeadlineMs) {
                    takeOverFromLostActive(nowMs, "nothing heard from the active " + activePeer + " within t2 ("
                            + timers.standbyTimeoutMs() + " ms)", actions);
                } else if (sync == SyncState.IN_SYNC && failbackNotBeforeMs != Long.MIN_VALUE && nowMs >= failbackNotBeforeMs) {
                    failbackNotBeforeMs = Long.MIN_VALUE;
                    failBackIfDue(nowMs, "synchronized primary with automatic failback takes its VIP back", actions);
                }
            }
            case PREEMPT -> {
                if (nowMs >= preemptDeadlineMs) {
                    enterActive(nowMs, 335, "the active did not answer the switch-over query within t3 ("
                            + timers.preemptTimeoutMs() + " ms)", actions);
                }
            }
            case ACTIVE -> {
                if (nowMs >= updateDeadlineMs) {
                    updateDeadlineMs = nowMs + timers.updateIntervalMs();
                    actions.add(new MonitorAction.SendUpdates(sync == SyncState.SYNC_OUT));
                }
            }
            case IDLE -> {
            }
        }
        return actions;
    }

    /**
     * A keep-alive or cache update from {@code peer} (transition 325 in LISTEN; action 341 in STANDBY; two
     * actives resolved in ACTIVE).
     */
    public List<MonitorAction> onPeerHeard(PeerView peer, long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        heard.put(peer.routerId(), new HeardPeer(peer, nowMs));
        long termBefore = term();
        highestTermHeard = Math.max(highestTermHeard, peer.term());
        if (peer.state() != MonitorState.ACTIVE) {
            return actions;
        }
        switch (state) {
            case LISTEN -> {
                activePeer = peer.routerId();
                enterStandby(nowMs, 325, "heard the active router " + peer.routerId() + ": synchronizing", SyncState.SYNC_IN, actions);
                actions.add(new MonitorAction.SendSyncRequest());
            }
            case STANDBY, PREEMPT -> {
                if (state == MonitorState.PREEMPT && activePeer != null && !activePeer.equals(peer.routerId())) {
                    // The query went to an active that is no longer the one: t3 would take the VIP from a router
                    // this one never asked, with a table that follows neither.
                    String queried = activePeer;
                    activePeer = peer.routerId();
                    enterStandby(nowMs, 341, "preemption abandoned: " + peer.routerId() + " became active while this router"
                            + " was asking " + queried, sync, actions);
                    return actions;
                }
                // Action 341: the active is alive; restart t2.
                activePeer = peer.routerId();
                standbyDeadlineMs = nowMs + timers.standbyTimeoutMs();
            }
            case ACTIVE -> {
                if (peer.term() < termBefore) {
                    // Its claim predates this router's takeover: it was replaced and will yield when it hears this.
                    actions.add(new MonitorAction.SendGratuitousArp());
                    note(nowMs, 350, "another active router " + peer.routerId() + " seen with term " + peer.term()
                            + ", older than this router's " + termBefore + ": a claim made before this takeover; keeping the VIP,"
                            + " re-announcing it");
                } else if (peer.term() > termBefore) {
                    activePeer = peer.routerId();
                    enterStandby(nowMs, 341, "another active router " + peer.routerId() + " took the VIP over after this one (term "
                            + peer.term() + ", this router's " + termBefore + "): going standby and resynchronizing", SyncState.SYNC_IN, actions);
                    actions.add(new MonitorAction.SendSyncRequest());
                } else if (PeerView.precedes(role, priority, routerId, peer)) {
                    actions.add(new MonitorAction.SendGratuitousArp());
                    note(nowMs, 350, "another active router " + peer.routerId() + " seen (healed partition?): this router takes precedence;"
                            + " re-announcing the VIP");
                } else {
                    activePeer = peer.routerId();
                    enterStandby(nowMs, 341, "another active router " + peer.routerId() + " takes precedence (" + peer.role()
                            + ", priority " + peer.priority() + "): going standby and resynchronizing", SyncState.SYNC_IN, actions);
                    actions.add(new MonitorAction.SendSyncRequest());
                }
            }
            case IDLE -> {
            }
        }
        return actions;
    }

    /** The keep-alive manager declares the active peer failed: every link silent for its failure time (348). */
    public List<MonitorAction> onActivePeerLost(String peer, long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        if ((state == MonitorState.STANDBY || state == MonitorState.PREEMPT) && peer.equals(activePeer)) {
            takeOverFromLostActive(nowMs, "the active " + peer + " failed on every link", actions);
        }
        return actions;
    }

    /** The active announced that it gave the VIP up (its own link failed): take over now (348). */
    public List<MonitorAction> onActiveGaveUp(String peer, String reason, long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        if ((state == MonitorState.STANDBY || state == MonitorState.PREEMPT) && peer.equals(activePeer)) {
            takeOverFromLostActive(nowMs, "the active " + peer + " gave the VIP up (" + reason + ")", actions);
        }
        return actions;
    }

    /** The synchronization manager finished SYNC-IN: the tables are equal (maybe transition 346). */
    public List<MonitorAction> onSynchronized(long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        if (state != MonitorState.STANDBY || sync == SyncState.IN_SYNC) {
            return actions;
        }
        move(MonitorState.STANDBY, SyncState.IN_SYNC, nowMs, 360, "synchronized with the active " + activePeer);
        failBackIfDue(nowMs, "synchronized primary with automatic failback takes its VIP back", actions);
        return actions;
    }

    /** The synchronization manager found a gap or a digest mismatch: back to SYNC-IN. */
    public List<MonitorAction> onSyncLost(String reason, long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        if (state == MonitorState.PREEMPT) {
            // Only a synchronized standby preempts (345, 346, 347): without a verified copy, t3 must not hand it
            // the VIP.
            enterStandby(nowMs, 360, "preemption abandoned, resynchronizing: " + reason, SyncState.SYNC_IN, actions);
            actions.add(new MonitorAction.SendSyncRequest());
        } else if (state == MonitorState.STANDBY) {
            move(state, SyncState.SYNC_IN, nowMs, 360, "resynchronizing: " + reason);
            actions.add(new MonitorAction.SendSyncRequest());
        }
        return actions;
    }

    /** A standby asked this active for a full synchronization: sub-state SYNC-OUT. */
    public List<MonitorAction> onSyncRequested(String peer, long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        if (state == MonitorState.ACTIVE) {
            move(MonitorState.ACTIVE, SyncState.SYNC_OUT, nowMs, 370, "standby " + peer + " joined: dumping the tables");
            actions.add(new MonitorAction.SendUpdates(true));
            updateDeadlineMs = nowMs + timers.updateIntervalMs();
        }
        return actions;
    }

    /** The dump to a joining standby is complete. */
    public List<MonitorAction> onSyncOutComplete(long nowMs) {
        if (state == MonitorState.ACTIVE && sync == SyncState.SYNC_OUT) {
            move(MonitorState.ACTIVE, SyncState.NONE, nowMs, 370, "dump complete: sending changes every t4");
        }
        return List.of();
    }

    /** Transition 345: the reachability manager says this router now reaches more than the active. */
    public List<MonitorAction> onReachabilityBetter(String detail, long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        if (state != MonitorState.STANDBY) {
            return actions;
        }
        if (sync != SyncState.IN_SYNC) {
            note(nowMs, 345, "better reachability (" + detail + ") but not synchronized: no preemption");
        } else if (!linksUp) {
            note(nowMs, 345, "better reachability (" + detail + ") but a local link is down: no preemption");
        } else {
            enterPreempt(nowMs, 345, "better reachability: " + detail, actions);
        }
        return actions;
    }

    /**
     * Transition 347: an operator asks for a switch-over. On a synchronized standby: preempt. On the active:
     * ask the standby to take over. Refused (and logged) anywhere else.
     *
     * @return the actions; empty when refused (see {@link #last()} for why)
     */
    public List<MonitorAction> onOperatorSwitchover(long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        switch (state) {
            case STANDBY -> {
                if (sync != SyncState.IN_SYNC) {
                    note(nowMs, 347, "operator switch-over refused: this standby is not synchronized (" + sync + ")");
                } else if (!linksUp) {
                    note(nowMs, 347, "operator switch-over refused: a local link is down");
                } else {
                    enterPreempt(nowMs, 347, "operator switch-over", actions);
                }
            }
            case ACTIVE -> {
                actions.add(new MonitorAction.RequestPeerTakeover());
                note(nowMs, 347, "operator switch-over: asking the standby to take the VIP");
            }
            default -> note(nowMs, 347, "operator switch-over refused in state " + state);
        }
        return actions;
    }

    /** Transition 355: a standby's switch-over query reached this active: accept and go standby. */
    public List<MonitorAction> onSwitchoverQuery(String peer, long nowMs) {
        return onSwitchoverQuery(peer, false, nowMs);
    }

    /**
     * Transition 355, with why the standby asks. An operator's switch-over (347), or a failback (346), holds off
     * this primary's own automatic failback until it is active again or restarts: the operator's intent. A
     * hand-over because the standby reaches more (345) does not: once this router reaches as much again and is
     * synchronized, it takes its VIP back (the active RM there sees it equal and keeps it, path 445).
     *
     * @param forBetterReachability whether the standby preempted by 345
     */
    public List<MonitorAction> onSwitchoverQuery(String peer, boolean forBetterReachability, long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        if (state != MonitorState.ACTIVE) {
            return actions;
        }
        activePeer = peer;
        failbackHeldOff = !forBetterReachability;
        handedOverTo = peer;
        handedOverAtMs = nowMs;
        handedOverTerm = term;
        actions.add(new MonitorAction.SendSwitchoverAccept(peer));
        // The tables are equal at this moment (the new active had to be synchronized to ask), but not for long:
        // this router drains, and follows the new active only after that, so the connections the new active
        // opens meanwhile are not in this copy. Not a synchronized standby to hand the VIP back to (an operator
        // switching straight back, within the drain, lost them) until it has followed and verified a dump.
        enterStandby(nowMs, 355, "handed the VIP to " + peer + " at its request", SyncState.SYNC_IN, actions);
        if (timers.handoverDrainMs() > 0) {
            // enterStandby stopped forwarding; keep forwarding while the upstream still sends here.
            actions.removeIf(a -> a instanceof MonitorAction.Forward);
            drainDeadlineMs = nowMs + timers.handoverDrainMs();
        }
        return actions;
    }

    /**
     * Transition 335: the active accepted this standby's switch-over query. A router no longer in PREEMPT had
     * abandoned its preemption while the query was on its way (another active appeared, its copy lost sync, a
     * link went down), yet the active handed the VIP over: nobody serves it now but the old active's drain, and
     * the simulation found the routers then took it, unsynchronized, after t2. This router declines; the old
     * active takes the VIP back ({@link #onSwitchoverDeclined}).
     */
    public List<MonitorAction> onSwitchoverAccepted(String peer, long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        if (state == MonitorState.PREEMPT) {
            enterActive(nowMs, 335, "the active " + peer + " accepted the switch-over", actions);
        } else if (state != MonitorState.ACTIVE) {
            actions.add(new MonitorAction.SendSwitchoverDecline(peer));
            note(nowMs, 335, peer + " accepted a switch-over this router no longer asks for (" + state + "/" + sync
                    + "): declined, " + peer + " keeps the VIP");
        }
        return actions;
    }

    /**
     * The standby this router just handed the VIP to (355) declined it: it had abandoned its preemption. This
     * router still drains (it forwards what the upstream sends it) or has only just stopped, so its table is the
     * VIP's freshest: it takes the VIP back (348), within the drain plus t3, unless a peer claims the VIP with a
     * newer term than the one this router handed over with (a takeover after it). A claim of that term or older,
     * this router's claim had beaten (the other active that made the standby abandon yields to it, seed 104039);
     * the new term this router takes beats it again.
     */
    public List<MonitorAction> onSwitchoverDeclined(String peer, long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        if (state != MonitorState.STANDBY || !peer.equals(handedOverTo)) {
            return actions;
        }
        handedOverTo = null;
        long sinceMs = nowMs - handedOverAtMs;
        String newerClaim = newerClaimSince(handedOverTerm, nowMs);
        if (newerClaim != null) {
            note(nowMs, 348, peer + " declined the VIP this router handed it, but " + newerClaim + " claims it with a newer"
                    + " term than this router's " + handedOverTerm + ": not taking it back");
        } else if (sinceMs > timers.handoverDrainMs() + timers.preemptTimeoutMs()) {
            note(nowMs, 348, peer + " declined the VIP this router handed it " + sinceMs + " ms ago, after the drain and t3:"
                    + " not taking it back (the standbys take it over after t2)");
        } else if (!linksUp) {
            note(nowMs, 348, peer + " declined the VIP this router handed it, but a local link is down: not taking it back");
        } else {
            enterActive(nowMs, 348, peer + " declined the VIP this router handed it " + sinceMs + " ms ago (it had abandoned"
                    + " its preemption): taking it back with the table it drained from", actions);
        }
        return actions;
    }

    /**
     * A local client- or server-facing link changed (the patent's connectivity failures 2(a), 2(b)). An
     * active router whose link went down gives the VIP up at once and says so.
     */
    public List<MonitorAction> onLocalLinks(boolean allUp, String detail, long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        if (allUp == linksUp) {
            return actions;
        }
        linksUp = allUp;
        if (allUp && state == MonitorState.STANDBY && sync == SyncState.IN_SYNC && failBackIsDue()) {
            failBackIfDue(nowMs, "local links up again (" + detail + "): synchronized primary with automatic failback takes its VIP back", actions);
        } else if (!allUp && state == MonitorState.ACTIVE) {
            actions.add(new MonitorAction.AnnounceGaveUp(detail));
            enterStandby(nowMs, 341, "gave the VIP up: " + detail, SyncState.IN_SYNC, actions);
        } else if (!allUp && state == MonitorState.PREEMPT) {
            enterStandby(nowMs, 341, "preemption abandoned: " + detail, sync, actions);
        } else {
            note(nowMs, 0, allUp ? "local links up again: " + detail : "local link down: " + detail);
        }
        return actions;
    }

    /**
     * This router itself did not run for {@code stalledMs}, longer than t2 (stopped by SIGSTOP, a hypervisor
     * pause, a long GC pause): its peers took it for failed and a standby has taken the VIP over (348). An
     * active router therefore stops forwarding and listens again (action 321) instead of fighting the new
     * active with a table frozen since the stall; it hears the new active within t1 and becomes its standby
     * (325), or takes the VIP back after t1 if nobody took it. A standby gives the active a fresh t2: its own
     * stall is no news about the active.
     */
    public List<MonitorAction> onSelfStalled(long stalledMs, long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        switch (state) {
            case ACTIVE -> {
                // t2, not t1: a standby that took over sends a keep-alive every t4, so t2 hears it; if none did
                // (it was stalled too, or not synchronized), this router's table is the freshest there is and it
                // takes the VIP back (326) without leaving it unserved for t1.
                enterListen(nowMs, 321, "this router was stalled for " + stalledMs + " ms, longer than t2 ("
                        + timers.standbyTimeoutMs() + " ms): a standby may have taken the VIP; listening for t2 before"
                        + " forwarding again", actions);
                listenDeadlineMs = nowMs + timers.standbyTimeoutMs();
            }
            case STANDBY, PREEMPT -> standbyDeadlineMs = nowMs + timers.standbyTimeoutMs();
            // It heard nobody because it did not run: t1 may have expired in the stall, and taking the VIP at once
            // would be a takeover without listening (the simulation found one, unsynchronized, beside a synchronized
            // standby). It listens t2 more, as an active that stalled does.
            case LISTEN -> listenDeadlineMs = Math.max(listenDeadlineMs, nowMs + timers.standbyTimeoutMs());
            default -> {
            }
        }
        return actions;
    }

    // ---------------------------------------------------------------------------------------------- entries

    private boolean failBackIsDue() {
        return role == Role.PRIMARY && failback == Failback.AUTOMATIC && linksUp && !failbackHeldOff && !reachesLessThanActive;
    }

    /** Why this router last preempted: 345, 346 or 347 (what its switch-over query says to the active). */
    public int preemptReference() {
        return preemptReference;
    }

    /**
     * The reach-ability manager compared this router with the VIP's active: whether it reaches less. While it
     * does, a primary does not fail back (346); when it no longer does, a synchronized primary with automatic
     * failback takes its VIP back as it would have.
     */
    public List<MonitorAction> onReachabilityCompared(boolean reachesLess, String detail, long nowMs) {
        List<MonitorAction> actions = new ArrayList<>();
        if (reachesLess == reachesLessThanActive) {
            return actions;
        }
        reachesLessThanActive = reachesLess;
        if (role != Role.PRIMARY || failback != Failback.AUTOMATIC) {
            return actions;
        }
        if (reachesLess) {
            note(nowMs, 346, "no automatic failback while this router reaches less than the active (" + detail + ")");
        } else if (state == MonitorState.STANDBY && sync == SyncState.IN_SYNC) {
            failBackIfDue(nowMs, "this router reaches as much as the active again (" + detail + "): synchronized primary"
                    + " with automatic failback takes its VIP back", actions);
        }
        return actions;
    }

    /**
     * Transition 346 when this is a synchronized primary with automatic failback that may take its VIP back; after
     * {@link #failbackNotBeforeMs} if it left ACTIVE less than the drain plus t3 ago (then {@link #onTick} does it).
     */
    private void failBackIfDue(long nowMs, String reason, List<MonitorAction> actions) {
        if (failBackIsDue() && failbackNotBeforeMs != Long.MIN_VALUE && nowMs < failbackNotBeforeMs) {
            return;
        }
        if (failBackIsDue()) {
            enterPreempt(nowMs, 346, reason, actions);
        } else if (role == Role.PRIMARY && failback == Failback.AUTOMATIC && failbackHeldOff) {
            note(nowMs, 346, "no automatic failback: this primary handed the VIP over at a standby's request (355);"
                    + " an operator switch-over or a restart ends that");
        }
    }

    private void takeOverFromLostActive(long nowMs, String reason, List<MonitorAction> actions) {
        if (!linksUp) {
            standbyDeadlineMs = nowMs + timers.standbyTimeoutMs();
            note(nowMs, 348, reason + ", but a local link is down: not taking the VIP");
            return;
        }
        HeardPeer active = activePeer == null ? null : heard.get(activePeer);
        if (sync != SyncState.IN_SYNC && active != null && active.view().state() == MonitorState.LISTEN
                && nowMs - active.atMs() <= timers.standbyTimeoutMs()) {
            // The active is alive, re-evaluating after a stall of its own (321) with the table this router is
            // still waiting for: it takes the VIP back after t2 unless a synchronized router has it.
            standbyDeadlineMs = nowMs + timers.standbyTimeoutMs();
            note(nowMs, 348, reason + ", but " + activePeer + " is alive and listening after a stall, with the table this"
                    + " router has not (" + sync + "): leaving the VIP to it");
            return;
        }
        String standby = sync == SyncState.IN_SYNC ? null : synchronizedStandbyHeard(nowMs);
        if (standby != null) {
            standbyDeadlineMs = nowMs + timers.standbyTimeoutMs();
            note(nowMs, 348, reason + ", but " + standby + " is a synchronized standby and this router is not (" + sync
                    + "): " + standby + " takes the VIP with every connection");
            return;
        }
        String syncNote = sync == SyncState.IN_SYNC ? "" : " (not synchronized: connections not yet replicated are lost)";
        enterActive(nowMs, 348, reason + syncNote, actions);
    }

    /**
     * A peer heard within t2 whose last keep-alive said it is a synchronized standby with its links up, other
     * than the active this router follows; or null.
     */
    private String synchronizedStandbyHeard(long nowMs) {
        String found = null;
        for (HeardPeer peer : heard.values()) {
            if (nowMs - peer.atMs() <= timers.standbyTimeoutMs() && peer.view().readyToTakeOver()
                    && (found == null || peer.view().routerId().compareTo(found) < 0)) {
                found = peer.view().routerId();
            }
        }
        return found;
    }

    /** A peer heard within t2 claiming the VIP with a term above {@code term}, or null. */
    private String newerClaimSince(long term, long nowMs) {
        for (HeardPeer peer : heard.values()) {
            if (nowMs - peer.atMs() <= timers.standbyTimeoutMs() && peer.view().state() == MonitorState.ACTIVE
                    && peer.view().term() > term) {
                return peer.view().routerId();
            }
        }
        return null;
    }

    private record HeardPeer(PeerView view, long atMs) {
    }

    /** Action 321. */
    private void enterListen(long nowMs, int reference, String reason, List<MonitorAction> actions) {
        stopTimers();
        listenedSinceMs = nowMs;
        activePeer = null;
        listenDeadlineMs = nowMs + timers.listenTimeoutMs();
        move(MonitorState.LISTEN, SyncState.NONE, nowMs, reference, reason);
        actions.add(new MonitorAction.AnswerArp(false));
        actions.add(new MonitorAction.Forward(false));
    }

    /** Action 341: stop answering ARP and forwarding, restart t2. */
    private void enterStandby(long nowMs, int reference, String reason, SyncState syncState, List<MonitorAction> actions) {
        stopTimers();
        standbyDeadlineMs = nowMs + timers.standbyTimeoutMs();
        move(MonitorState.STANDBY, syncState, nowMs, reference, reason);
        actions.add(new MonitorAction.AnswerArp(false));
        actions.add(new MonitorAction.Forward(false));
    }

    /** Action 331: query the active, start t3. t2 keeps running: the active may die meanwhile. */
    private void enterPreempt(long nowMs, int reference, String reason, List<MonitorAction> actions) {
        preemptDeadlineMs = nowMs + timers.preemptTimeoutMs();
        preemptReference = reference;
        move(MonitorState.PREEMPT, sync, nowMs, reference, reason);
        actions.add(new MonitorAction.SendSwitchoverQuery());
    }

    /**
     * Action 351 plus IP takeover: forward first (the replicated table is already installed), then answer
     * ARP, then announce with gratuitous ARP, so no packet that the announcement attracts meets a router
     * that is not yet forwarding.
     */
    private void enterActive(long nowMs, int reference, String reason, List<MonitorAction> actions) {
        stopTimers();
        term = Math.max(term, highestTermHeard) + 1;
        failbackHeldOff = false;
        activePeer = null;
        updateDeadlineMs = nowMs + timers.updateIntervalMs();
        move(MonitorState.ACTIVE, SyncState.NONE, nowMs, reference, reason + " (term " + term + ")");
        actions.add(new MonitorAction.Forward(true));
        actions.add(new MonitorAction.AnswerArp(true));
        actions.add(new MonitorAction.SendGratuitousArp());
        actions.add(new MonitorAction.SendUpdates(false));
    }

    private void stopTimers() {
        listenDeadlineMs = Long.MAX_VALUE;
        standbyDeadlineMs = Long.MAX_VALUE;
        preemptDeadlineMs = Long.MAX_VALUE;
        updateDeadlineMs = Long.MAX_VALUE;
        drainDeadlineMs = Long.MAX_VALUE;
    }

    /** The one place a state changes: records old -> new with the reason and tells the listener. */
    private void move(MonitorState next, SyncState nextSync, long nowMs, int reference, String reason) {
        if (state == MonitorState.ACTIVE && next != MonitorState.ACTIVE) {
            failbackNotBeforeMs = nowMs + timers.handoverDrainMs() + timers.preemptTimeoutMs();
        }
        Transition t = new Transition(nowMs, service, state, next, sync, nextSync, reference, reason);
        state = next;
        sync = nextSync;
        last = t;
        listener.accept(t);
    }

    private void note(long nowMs, int reference, String reason) {
        Transition t = new Transition(nowMs, service, state, state, sync, sync, reference, reason);
        last = t;
        listener.accept(t);
    }
}
