package dev.baton.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How this router works with its peers (the {@code high-availability} section). Without it the
 * router serves alone and owns every VIP. The four timers are the patent's t1..t4 (US 6,148,410, FIG. 3).
 * The record checks only what no router could run with; the relations between timers (each timeout at
 * least two update intervals) are the loader's checks, so tests may build tighter settings by hand.
 *
 * @param routerNumber    this router's number, unsigned 32-bit held in a long (1..4294967295), unique among
 *                        its peers: carried in every peer message and the last tie-break between two actives
 * @param keyFile         the file holding the pre-shared HMAC key of the peer protocol (read at start, never
 *                        the key itself in the configuration)
 * @param port            UDP port of the peer protocol on every link
 * @param listenTimeout   t1: how long a starting router (LISTEN, action 321) listens for an active one before
 *                        it becomes active itself (transition 326)
 * @param standbyTimeout  t2: the longest silence from the active before a standby takes over (action 341,
 *                        transition 348)
 * @param preemptTimeout  t3: how long a preempting standby waits for the active's answer to its switch-over
 *                        query (action 331, transition 335)
 * @param updateInterval  t4: how often the active sends keep-alives and update batches (action 351)
 * @param linkFailureTime a link to a peer silent this long is failed; the peer is failed when all are
 * @param handoverDrain   after handing a VIP over, the old active keeps forwarding this long (zero allowed),
 *                        so frames still addressed to its MAC are not lost
 * @param gratuitousArp   IP takeover announcements
 * @param sync            flow control of the full table dump to a new standby
 * @param peers           the other routers, at least one
 * @param shutdownHandoverTimeout on SIGTERM, how long the active waits for a synchronized standby to accept its
 *                        VIPs (the operator switch-over path) before it falls back to GAVE_UP (zero allowed)
 * @param stateDirectory  where the agent keeps its incarnation counter across restarts (replay safety), an
 *                        absolute path; one directory per router
 */
public record HighAvailabilitySettings(
        long routerNumber,
        Path keyFile,
        int port,
        Duration listenTimeout,
        Duration standbyTimeout,
        Duration preemptTimeout,
        Duration updateInterval,
        Duration linkFailureTime,
        Duration handoverDrain,
        GratuitousArpSettings gratuitousArp,
        SyncWindowSettings sync,
        List<PeerSettings> peers,
        Duration shutdownHandoverTimeout,
        Path stateDirectory) {

    public HighAvailabilitySettings {
        requireRouterNumber(routerNumber);
        Objects.requireNonNull(keyFile, "keyFile");
        if (port < ConfigLimits.MIN_PEER_PORT || port > ConfigLimits.MAX_PEER_PORT) {
            throw new IllegalArgumentException("port " + port + " is not within 1..65535");
        }
        ConfigValues.requirePositive(listenTimeout, "listenTimeout");
        ConfigValues.requirePositive(standbyTimeout, "standbyTimeout");
        ConfigValues.requirePositive(preemptTimeout, "preemptTimeout");
        ConfigValues.requirePositive(updateInterval, "updateInterval");
        ConfigValues.requirePositive(linkFailureTime, "linkFailureTime");
        Objects.requireNonNull(handoverDrain, "handoverDrain");
        if (handoverDrain.isNegative()) {
            throw new IllegalArgumentException("handoverDrain " + handoverDrain + " is negative");
        }
        Objects.requireNonNull(gratuitousArp, "gratuitousArp");
        Objects.requireNonNull(sync, "sync");
        Objects.requireNonNull(shutdownHandoverTimeout, "shutdownHandoverTimeout");
        if (shutdownHandoverTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdownHandoverTimeout " + shutdownHandoverTimeout + " is negative");
        }
        Objects.requireNonNull(stateDirectory, "stateDirectory");
        peers = List.copyOf(peers);
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("high availability needs at least one peer");
        }
    }

    /** As the canonical constructor, with the default state directory. */
    public HighAvailabilitySettings(long routerNumber, Path keyFile, int port, Duration listenTimeout, Duration standbyTimeout,
                                    Duration preemptTimeout, Duration updateInterval, Duration linkFailureTime,
                                    Duration handoverDrain, GratuitousArpSettings gratuitousArp, SyncWindowSettings sync,
                                    List<PeerSettings> peers, Duration shutdownHandoverTimeout) {
        this(routerNumber, keyFile, port, listenTimeout, standbyTimeout, preemptTimeout, updateInterval, linkFailureTime,
                handoverDrain, gratuitousArp, sync, peers, shutdownHandoverTimeout, ConfigDefaults.STATE_DIRECTORY);
    }

    /** As the canonical constructor, with the default shutdown hand-over timeout and state directory. */
    public HighAvailabilitySettings(long routerNumber, Path keyFile, int port, Duration listenTimeout, Duration standbyTimeout,
                                    Duration preemptTimeout, Duration updateInterval, Duration linkFailureTime,
                                    Duration handoverDrain, GratuitousArpSettings gratuitousArp, SyncWindowSettings sync,
                                    List<PeerSettings> peers) {
        this(routerNumber, keyFile, port, listenTimeout, standbyTimeout, preemptTimeout, updateInterval, linkFailureTime,
                handoverDrain, gratuitousArp, sync, peers, ConfigDefaults.SHUTDOWN_HANDOVER_TIMEOUT);
    }

    /** The peer with this name, if any. */
    public Optional<PeerSettings> peer(String name) {
        for (PeerSettings candidate : peers) {
            if (candidate.name().equals(name)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The peer with this router number, if any. */
    public Optional<PeerSettings> peer(long routerNumber) {
        for (PeerSettings candidate : peers) {
            if (candidate.routerNumber() == routerNumber) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    static void requireRouterNumber(long routerNumber) {
        if (routerNumber < ConfigLimits.MIN_ROUTER_NUMBER || routerNumber > ConfigLimits.MAX_ROUTER_NUMBER) {
            throw new IllegalArgumentException("router number " + routerNumber + " is not within "
                    + ConfigLimits.MIN_ROUTER_NUMBER + ".." + ConfigLimits.MAX_ROUTER_NUMBER);
        }
    }
}
