package dev.baton.ha;

/**
 * One entry of the event history ({@code baton ctl events}). The control module renders it as JSON and text;
 * here it is data.
 *
 * <p>Every event has the agent's monotonic time ({@link #atMs()}), the wall-clock time for people
 * ({@link #epochMs()}), the VIP concerned (empty for router-wide events) and a sentence saying what happened and
 * why ({@link #text()}).
 */
public sealed interface HaEvent {

    long atMs();

    long epochMs();

    /** The VIP concerned, or empty for router-wide events. */
    String vip();

    /** What happened and why, for people. */
    String text();

    /** The word {@code ctl events} shows for this kind of event. */
    String kind();

    /** The patent's numeral (e.g. 348), or 0. */
    default int reference() {
        return 0;
    }

    /**
     * A monitor changed state or sync sub-state (FIG. 3).
     *
     * @param from e.g. {@code STANDBY/in-sync}
     * @param to   e.g. {@code ACTIVE}
     */
    record StateChange(long atMs, long epochMs, String vip, int reference, String from, String to, String text) implements HaEvent {
        @Override
        public String kind() {
            return "transition";
        }
    }

    /** Something a monitor or the agent decided or noticed without a state change (a refusal, a stall, shutdown). */
    record Note(long atMs, long epochMs, String vip, int reference, String text) implements HaEvent {
        @Override
        public String kind() {
            return "note";
        }
    }

    /** A local interface or a peer link went up or down. */
    record LinkChange(long atMs, long epochMs, boolean up, String text) implements HaEvent {
        @Override
        public String vip() {
            return "";
        }

        @Override
        public String kind() {
            return "link";
        }
    }

    /** A peer became alive or failed (every link silent). */
    record PeerChange(long atMs, long epochMs, String peer, boolean alive, String text) implements HaEvent {
        @Override
        public String vip() {
            return "";
        }

        @Override
        public String kind() {
            return "peer";
        }
    }

    /** A peer's configuration digest for the VIP began or stopped differing from this router's. */
    record ConfigDifference(long atMs, long epochMs, String vip, String peer, boolean differs, String text) implements HaEvent {
        @Override
        public String kind() {
            return "config";
        }
    }

    /** A peer's run echoed this router's incarnation: its messages count from then on. */
    record Handshake(long atMs, long epochMs, String peer, String text) implements HaEvent {
        @Override
        public String vip() {
            return "";
        }

        @Override
        public String kind() {
            return "handshake";
        }
    }
}
