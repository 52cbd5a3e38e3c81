package dev.baton.control.drill;

import dev.baton.control.protocol.ControlClient;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The drill's side of the routers: their {@code ctl status} for the drill's VIP, which one is active and whether a
 * synchronized standby stands by, the operator switch-over ({@code ctl switchover VIP}, FIG. 3 transition 347 on the
 * active), and waiting for the standby to become active. Every call has a deadline ({@link #CALL_TIMEOUT}); a router
 * that does not answer is reported with why, never waited on for ever.
 *
 * <p>Threads: the drill's thread.
 */
public final class PairControl {

    /** How long one control call may take: a router answers {@code status} in milliseconds. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final long POLL_INTERVAL_MS = 20;

    private final List<Path> sockets;
    private final String vip;
    private final LongSupplier clockNs;
    private final Duration callTimeout;

    public PairControl(List<Path> sockets, String vip, LongSupplier clockNs) {
        this(sockets, vip, clockNs, CALL_TIMEOUT);
    }

    /** @param callTimeout how long one control call may take ({@link #CALL_TIMEOUT} but in tests) */
    public PairControl(List<Path> sockets, String vip, LongSupplier clockNs, Duration callTimeout) {
        this.sockets = List.copyOf(sockets);
        this.vip = Objects.requireNonNull(vip, "vip");
        this.clockNs = Objects.requireNonNull(clockNs, "clockNs");
        this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
    }

    /**
     * One router's state for the VIP, from its {@code ctl status}.
     *
     * @param socket         its control socket
     * @param router         its {@code router.id}, or the socket's file name when it did not answer
     * @param error          why there is no state (unreachable, no high availability, VIP not served), or null
     * @param state          its FIG. 3 state for the VIP (ACTIVE, STANDBY, ...)
     * @param sync           its sync sub-state (IN_SYNC, ...)
     * @param tableSize      its table partition's size for the VIP
     * @param tableDigest    its digest (hex)
     * @param pid            its process id, -1 if it does not say
     * @param processStarted when its process started, if it says
     * @param peers          its view of each peer for the VIP: name, state, sync (as {@code ctl status} has them)
     */
    public record RouterView(Path socket, String router, String error, String state, String sync, long tableSize,
                             String tableDigest, long pid, Optional<Instant> processStarted, List<Map<String, Object>> peers) {

        static RouterView unavailable(Path socket, String router, String error) {
            return new RouterView(socket, router, error, "", "", -1, "", -1, Optional.empty(), List.of());
        }

        public boolean answered() {
            return error == null;
        }

        public boolean active() {
            return answered() && "ACTIVE".equals(state);
        }

        public boolean synchronizedStandby() {
            return answered() && "STANDBY".equals(state) && "IN_SYNC".equals(sync);
        }

        /** "r1 STANDBY/IN_SYNC, table 200 digest 3fa2..." or "r1: why not". */
        public String describe() {
            return answered() ? router + " " + state + "/" + sync + ", table " + tableSize + " digest " + tableDigest
                    : router + ": " + error;
        }
    }

    /** Each router's view, in the order of the sockets given. */
    public List<RouterView> views() {
        List<RouterView> views = new ArrayList<>();
        for (Path socket : sockets) {
            views.add(view(socket));
        }
        return views;
    }

    /** Router {@code socket}'s view of the VIP. */
    @SuppressWarnings("unchecked")
    public RouterView view(Path socket) {
        String name = String.valueOf(socket.getFileName());
        Map<String, Object> status;
        try {
            status = (Map<String, Object>) ControlClient.call(socket, "status", Map.of(), callTimeout);
        } catch (ControlClient.ControlException | ClassCastException e) {
            return RouterView.unavailable(socket, name, "does not answer: " + e.getMessage());
        }
        String router = String.valueOf(status.getOrDefault("router", name));
        if (!(status.get("high_availability") instanceof Map<?, ?> ha)) {
            return RouterView.unavailable(socket, router, "serves alone (no high-availability section): it has no standby");
        }
        List<String> served = new ArrayList<>();
        if (ha.get("vips") instanceof List<?> vips) {
            for (Object o : vips) {
                if (o instanceof Map<?, ?> v) {
                    served.add(String.valueOf(v.get("vip")));
                    if (vip.equals(v.get("vip"))) {
                        return of(socket, router, status, (Map<String, Object>) v);
                    }
                }
            }
        }
        return RouterView.unavailable(socket, router, "does not serve VIP " + vip + " (it serves " + served + ")");
    }

    @SuppressWarnings("unchecked")
    private static RouterView of(Path socket, String router, Map<String, Object> status, Map<String, Object> v) {
        List<Map<String, Object>> peers = new ArrayList<>();
        if (v.get("peers") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> p) {
                    peers.add((Map<String, Object>) p);
                }
            }
        }
        Optional<Instant> started = Optional.empty();
        if (status.get("process_started") instanceof String text) {
            try {
                started = Optional.of(Instant.parse(text));
            } catch (DateTimeParseException e) {
                started = Optional.empty();
            }
        }
        return new RouterView(socket, router, null, String.valueOf(v.get("state")), String.valueOf(v.get("sync")),
                v.get("table_size") instanceof Number n ? n.longValue() : -1, String.valueOf(v.get("table_digest")),
                status.get("pid") instanceof Number pid ? pid.longValue() : -1, started, List.copyOf(peers));
    }

    /**
     * Which router to switch from and which one takes over, or why the drill cannot run: exactly one router active
     * for the VIP, and another a synchronized standby that the active hears as one (it hands the VIP only to such
     * a standby: docs/operations.md, "What a failover loses").
     */
    public sealed interface Plan {
        record Ready(int active, int standby) implements Plan {
        }

        record NotReady(String reason) implements Plan {
        }
    }

    /** The plan for {@code views} (from {@link #views()}). */
    public Plan plan(List<RouterView> views) {
        List<Integer> actives = new ArrayList<>();
        for (int i = 0; i < views.size(); i++) {
            if (views.get(i).active()) {
                actives.add(i);
            }
        }
        if (actives.size() > 1) {
            return new Plan.NotReady("more than one router is ACTIVE for " + vip + ": " + describeAll(views)
                    + "; wait until they agree (ctl events says why)");
        }
        if (actives.isEmpty()) {
            return new Plan.NotReady("no router is ACTIVE for " + vip + ": " + describeAll(views));
        }
        int active = actives.getFirst();
        RouterView a = views.get(active);
        List<String> others = new ArrayList<>();
        for (int i = 0; i < views.size(); i++) {
            if (i == active) {
                continue;
            }
            RouterView s = views.get(i);
            if (s.synchronizedStandby()) {
                Optional<Map<String, Object>> seen = a.peers().stream().filter(p -> s.router().equals(p.get("peer"))).findFirst();
                if (seen.isPresent() && "STANDBY".equals(seen.get().get("state")) && "IN_SYNC".equals(seen.get().get("sync"))) {
                    return new Plan.Ready(active, i);
                }
                others.add(s.router() + " says STANDBY/IN_SYNC but the active " + a.router() + " hears it as "
                        + seen.map(p -> p.get("state") + "/" + p.getOrDefault("sync", "")).orElse("nothing (not one of its peers)"));
            } else {
                others.add(s.describe());
            }
        }
        List<String> heard = new ArrayList<>();
        for (Map<String, Object> p : a.peers()) {
            // A peer's record stays as last heard: how long ago says whether it is still there.
            heard.add(p.get("peer") + " " + p.get("state") + (p.get("sync") == null ? "" : "/" + p.get("sync"))
                    + (p.get("heard_ms_ago") instanceof Number ago ? " (last heard " + ago + " ms ago)" : ""));
        }
        return new Plan.NotReady("nothing to fail over to: no synchronized standby for " + vip + ". "
                + String.join("; ", others) + ". The active " + a.router() + " hears " + (heard.isEmpty() ? "no peer" : String.join(", ", heard))
                + ". Start the standby and wait until `ctl status` shows it STANDBY/IN_SYNC, then drill.");
    }

    private static String describeAll(List<RouterView> views) {
        List<String> all = new ArrayList<>();
        for (RouterView v : views) {
            all.add(v.describe());
        }
        return String.join("; ", all);
    }

    /**
     * {@code ctl switchover VIP} on {@code socket} (the active): it asks its synchronized standby to take the VIP.
     *
     * @return the router's outcome, one line per VIP
     * @throws ControlClient.ControlException when the router refuses the request or does not answer
     */
    @SuppressWarnings("unchecked")
    public String switchover(Path socket) {
        Object answer = ControlClient.call(socket, "switchover", Map.of("target", vip), callTimeout);
        if (answer instanceof Map<?, ?> m && m.get("outcome") instanceof List<?> lines) {
            return String.join("; ", (List<String>) lines);
        }
        return String.valueOf(answer);
    }

    /**
     * Polls {@code socket} every {@value #POLL_INTERVAL_MS} ms until its view satisfies {@code condition}, at most
     * {@code timeout}.
     *
     * @return the view that did, or empty (then {@code last[0]} holds the last view seen)
     */
    public Optional<RouterView> await(Path socket, java.util.function.Predicate<RouterView> condition, Duration timeout,
                                      RouterView[] last) {
        long deadlineNs = clockNs.getAsLong() + timeout.toNanos();
        while (true) {
            RouterView view = view(socket);
            last[0] = view;
            if (condition.test(view)) {
                return Optional.of(view);
            }
            if (clockNs.getAsLong() - deadlineNs >= 0) {
                return Optional.empty();
            }
            try {
                Thread.sleep(POLL_INTERVAL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    public List<Path> sockets() {
        return sockets;
    }

    public String vip() {
        return vip;
    }
}
