package dev.baton.monitor;

/** The sub-states of FIG. 3, plus the plain states either side of them. */
public enum SyncState {
    /** Not applicable (IDLE, LISTEN) or not synchronizing anyone (ACTIVE without a joining standby). */
    NONE(0),
    /** 360 SYNC-IN: a standby being synchronized by the active (first join, a detected gap or digest mismatch). */
    SYNC_IN(360),
    /** A standby whose tables equal the active's: the only standby allowed to preempt (transitions 345, 346). */
    IN_SYNC(1),
    /** 370 SYNC-OUT: the active dumping its tables to a standby. */
    SYNC_OUT(370);

    public final int code;

    SyncState(int code) {
        this.code = code;
    }
}
