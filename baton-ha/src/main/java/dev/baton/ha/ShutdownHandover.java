package dev.baton.ha;

import dev.baton.ha.VipUnit.ShutdownStep;
import dev.baton.monitor.MonitorState;

/**
 * The hand-over at SIGTERM, VIP by VIP: every VIP this router is active for goes to a synchronized standby the way
 * {@code baton ctl switchover} moves it, so no connection is lost. First every worker sends its pending update
 * batches and waits for the standby's acknowledgement ({@link ReplicationShard#flushUpdates}); then the standby
 * is asked to take the VIP (transition 347); when its switch-over query arrives the monitor hands over (355): no
 * more ARP answers at once, forwarding for the hand-over drain. A VIP no synchronized standby accepted within
 * {@code shutdown-handover-timeout} is given up instead, as for a local link failure: GAVE_UP with reason shutdown,
 * so a standby takes it at once rather than after t2.
 *
 * <p>Agent thread, apart from {@link #complete}, which the thread that closes the agent waits on.
 */
final class ShutdownHandover {

    /** What the hand-over needs from the conductor. */
    interface ShutdownConductor extends Conductor {
        /**
         * Whether a standby could take the VIP now: its last keep-alive says it is synchronized and reachable, and
         * it verified this router's own dump.
         */
        boolean hasSynchronizedStandby(VipUnit group);

        /** Asks every worker to send the VIP's pending updates and report when they are acknowledged. */
        void flushUpdates(VipUnit group, long nowMs);
    }

    private final VipUnit[] groups;
    private final long timeoutMs;
    private final long allWorkers;
    private final HaEventLog events;
    private final ShutdownConductor conductor;
    private boolean begun;
    private long deadlineMs = Long.MAX_VALUE;
    private volatile boolean complete;
    private long handedOver;
    private long gaveUp;

    /**
     * @param timeoutMs  {@code shutdown-handover-timeout}: how long a VIP waits for a standby to accept it
     * @param allWorkers the bit set of every worker ({@link HaAgent#workerMask})
     */
    ShutdownHandover(VipUnit[] groups, long timeoutMs, long allWorkers, HaEventLog events, ShutdownConductor conductor) {
        this.groups = groups;
        this.timeoutMs = timeoutMs;
        this.allWorkers = allWorkers;
        this.events = events;
        this.conductor = conductor;
    }

    /** Whether the shutdown began: a router that stops neither follows a new active nor asks for a dump. */
    boolean begun() {
        return begun;
    }

    /**
     * A VIP this router holds again while it stops: the heir (or the active of a VIP that was not this router's
     * at the SIGTERM) failed and this router took the VIP over (348). Handed over again, or given up at the
     * deadline (at once when it has passed), so that the router does not exit holding it.
     */
    private int handAgain(VipUnit group, long nowMs) {
        group.shutdownStep = ShutdownStep.FLUSHING;
        group.flushedWorkers = 0;
        conductor.flushUpdates(group, nowMs);
        return 1;
    }

    /** Whether every VIP is done: handed over and drained, given up, or never active here. Any thread. */
    boolean complete() {
        return complete;
    }

    /** Starts the hand-over of every VIP this router is active for; the others are done at once. */
    void begin(long nowMs) {
        if (begun) {
            return;
        }
        begun = true;
        deadlineMs = nowMs + timeoutMs;
        int active = 0;
        for (VipUnit group : groups) {
            if (group.monitor.state() == MonitorState.ACTIVE) {
                active++;
                group.shutdownStep = ShutdownStep.FLUSHING;
                group.flushedWorkers = 0;
                conductor.flushUpdates(group, nowMs);
            } else {
                group.shutdownStep = ShutdownStep.DONE;
            }
        }
        events.note(nowMs, "", 0, "shutting down: handing " + active + " VIP(s) to a synchronized standby within "
                + timeoutMs + " ms (shutdown-handover-timeout), else giving them up", false);
        progress(nowMs);
    }

    /**
     * Moves every VIP's hand-over on by what happened since the last cycle.
     *
     * @return work done
     */
    int progress(long nowMs) {
        if (!begun) {
            return 0;
        }
        int work = 0;
        boolean done = true;
        for (VipUnit group : groups) {
            boolean active = group.monitor.state() == MonitorState.ACTIVE;
            switch (group.shutdownStep) {
                case FLUSHING -> {
                    if (!active) {
                        group.shutdownStep = ShutdownStep.DONE; // lost it meanwhile (two actives resolved, a link)
                    } else if (group.flushedWorkers == allWorkers && conductor.hasSynchronizedStandby(group)) {
                        group.switchoverOutcome = null;
                        conductor.execute(group, group.monitor.onOperatorSwitchover(nowMs), nowMs);
                        group.shutdownStep = ShutdownStep.REQUESTED;
                        work++;
                    }
                }
                case REQUESTED -> {
                    if (!active) {
                        group.shutdownStep = ShutdownStep.HANDED_OVER;
                        handedOver++;
                        work++;
                    }
                }
                case HANDED_OVER -> {
                    if (active) {
                        handedOver--;
                        work += handAgain(group, nowMs);
                    } else if (!group.forwarding) {
                        group.shutdownStep = ShutdownStep.DONE; // the drain is over
                        work++;
                    }
                }
                case DONE -> {
                    if (active && !complete) {
                        work += handAgain(group, nowMs);
                    }
                }
                default -> {
                }
            }
            if ((group.shutdownStep == ShutdownStep.FLUSHING || group.shutdownStep == ShutdownStep.REQUESTED)
                    && nowMs >= deadlineMs) {
                events.note(nowMs, group.name, 0, "shutting down: no synchronized standby accepted the VIP within "
                        + timeoutMs + " ms; giving it up (GAVE_UP)", true);
                // The monitor gives the VIP up as for a local link failure (2(a), 2(b)): GAVE_UP with reason
                // shutdown, no ARP answers, no forwarding, and its keep-alives say STANDBY from now on.
                conductor.execute(group, group.monitor.onLocalLinks(false, "shutting down", nowMs), nowMs);
                group.shutdownStep = ShutdownStep.DONE;
                gaveUp++;
                work++;
            }
            done &= group.shutdownStep == ShutdownStep.DONE;
        }
        if (done && !complete) {
            complete = true;
            events.note(nowMs, "", 0, "shutdown hand-over done: " + handedOver + " VIP(s) handed over, " + gaveUp
                    + " given up", false);
        }
        return work;
    }
}
