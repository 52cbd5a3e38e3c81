package dev.baton.monitor;

/** What a recovered primary does once it is a synchronized standby (transition 346's configuration). */
public enum Failback {
    /** Takes its VIP back by preemption once synchronized (346). */
    AUTOMATIC,
    /** Stays standby until an operator switches over (347). */
    MANUAL
}
