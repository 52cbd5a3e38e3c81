package dev.baton.ha;

import java.util.ArrayDeque;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The HA agent's event history and log: every event is logged once, at a level that says whether an operator
 * should look, and kept, the newest {@link #LIMIT}, for {@code baton ctl events}. Agent thread only.
 */
final class HaEventLog {

    static final int LIMIT = 1_000;
    private static final System.Logger LOG = System.getLogger(HaAgent.class.getName());

    private final ArrayDeque<HaEvent> history = new ArrayDeque<>();
    private final LongSupplier wallClock;

    /** @param wallClock epoch milliseconds, for people (the agent's own clock is monotonic) */
    HaEventLog(LongSupplier wallClock) {
        this.wallClock = wallClock;
    }

    long epochMs() {
        return wallClock.getAsLong();
    }

    /** A monitor's transition or note (FIG. 3); DEBUG for a note, INFO for a change. */
    void transition(long atMs, String vip, int reference, String from, String to, boolean changed, String text) {
        add(changed ? new HaEvent.StateChange(atMs, epochMs(), vip, reference, from, to, text)
                : new HaEvent.Note(atMs, epochMs(), vip, reference, text),
                changed ? System.Logger.Level.INFO : System.Logger.Level.DEBUG);
    }

    /** Something worth a line: WARNING when an operator should act or look, else INFO. */
    void note(long atMs, String vip, int reference, String text, boolean warning) {
        add(new HaEvent.Note(atMs, epochMs(), vip, reference, text), warning ? System.Logger.Level.WARNING : System.Logger.Level.INFO);
    }

    void link(long atMs, boolean up, String text) {
        add(new HaEvent.LinkChange(atMs, epochMs(), up, text), up ? System.Logger.Level.INFO : System.Logger.Level.WARNING);
    }

    void peer(long atMs, String peer, boolean alive, String text) {
        add(new HaEvent.PeerChange(atMs, epochMs(), peer, alive, text), alive ? System.Logger.Level.INFO : System.Logger.Level.WARNING);
    }

    void configuration(long atMs, String vip, String peer, boolean differs, String text) {
        add(new HaEvent.ConfigDifference(atMs, epochMs(), vip, peer, differs, text),
                differs ? System.Logger.Level.WARNING : System.Logger.Level.INFO);
    }

    void handshake(long atMs, String peer, String text) {
        add(new HaEvent.Handshake(atMs, epochMs(), peer, text), System.Logger.Level.INFO);
    }

    private void add(HaEvent event, System.Logger.Level level) {
        LOG.log(level, event.vip().isEmpty() ? event.text() : event.vip() + ": " + event.text());
        if (history.size() == LIMIT) {
            history.removeFirst();
        }
        history.addLast(event);
    }

    /** The history, oldest first. */
    List<HaEvent> events() {
        return List.copyOf(history);
    }
}
