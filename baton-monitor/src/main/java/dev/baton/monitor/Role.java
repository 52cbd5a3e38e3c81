package dev.baton.monitor;

/** The function assigned per service at configuration time (the patent's PRIMARY / BACKUP). */
public enum Role {
    /** The preferred active router. */
    PRIMARY,
    /** Active only when no primary is. */
    BACKUP
}
