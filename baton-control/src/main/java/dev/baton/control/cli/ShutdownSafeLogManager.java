package dev.baton.control.cli;

import java.util.logging.LogManager;

/**
 * Keeps Baton's log handler through JVM shutdown. The standard {@link LogManager} closes every handler in a
 * shutdown hook of its own, which runs alongside {@code baton run}'s: the router's hand-over at SIGTERM,
 * and a thread failure during it, would then log nothing. Once {@link LogFormat#install} has
 * configured the log, {@link #reset} does nothing; the process's exit closes the console.
 */
public final class ShutdownSafeLogManager extends LogManager {

    private volatile boolean configured;

    @Override
    public void reset() {
        if (!configured) {
            super.reset(); // the initial configuration, before Baton's handler is installed
        }
    }

    void configured() {
        configured = true;
    }
}
