package dev.baton.monitor;

/**
 * The states of FIG. 3 (US 6,148,410), per service. Codes are the patent's reference numerals: stable, and
 * what operators and logs see next to the name.
 */
public enum MonitorState {
    /** 310: no backup function configured; the router serves the VIP alone (action 311). */
    IDLE(310),
    /** 320: newly started; listening for t1 for an active router before becoming active (action 321). */
    LISTEN(320),
    /** 330: a standby that asked the active to hand over and waits for its answer or t3 (action 331). */
    PREEMPT(330),
    /** 340: not forwarding; shadows the active's tables and watches it for failure (action 341). */
    STANDBY(340),
    /** 350: forwarding for the VIP and sending updates and keep-alives every t4 (action 351). */
    ACTIVE(350);

    public final int code;

    MonitorState(int code) {
        this.code = code;
    }

    @Override
    public String toString() {
        return name() + "(" + code + ")";
    }
}
