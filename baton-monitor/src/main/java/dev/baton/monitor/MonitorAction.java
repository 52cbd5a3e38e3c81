package dev.baton.monitor;

/**
 * What the monitor asks the rest of the router to do: the side effects of FIG. 3's actions, returned in the
 * order they must happen. The monitor itself touches nothing (Seesaw's "step function" shape), so tests
 * read the actions and a runtime carries them out.
 */
public sealed interface MonitorAction {

    /** Answer ARP for the VIP (actions 311 and 351) or stop (actions 321 and 341). */
    record AnswerArp(boolean answer) implements MonitorAction {
    }

    /** Forward the VIP's traffic or drop it. */
    record Forward(boolean forward) implements MonitorAction {
    }

    /** IP takeover: gratuitous ARP for the VIP on the client-facing interfaces (transitions 326, 335, 348). */
    record SendGratuitousArp() implements MonitorAction {
    }

    /** Action 331: ask the active to hand the VIP over. */
    record SendSwitchoverQuery() implements MonitorAction {
    }

    /** Transition 355: accept a standby's switch-over query. */
    record SendSwitchoverAccept(String peer) implements MonitorAction {
    }

    /** An accept reached this router after it abandoned its preemption: the VIP goes back to {@code peer}. */
    record SendSwitchoverDecline(String peer) implements MonitorAction {
    }

    /** Transition 325: ask the active for a full synchronization (sub-state SYNC-IN). */
    record SendSyncRequest() implements MonitorAction {
    }

    /** Action 351: send updates and keep-alives now; {@code fullDump} in sub-state SYNC-OUT. */
    record SendUpdates(boolean fullDump) implements MonitorAction {
    }

    /** Tell the peers this router gave the VIP up (a local link failed), so a standby takes over at once. */
    record AnnounceGaveUp(String reason) implements MonitorAction {
    }

    /** Transition 347 on the active: ask the synchronized standby to preempt. */
    record RequestPeerTakeover() implements MonitorAction {
    }
}
