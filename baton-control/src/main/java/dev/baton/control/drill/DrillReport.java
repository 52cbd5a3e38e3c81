package dev.baton.control.drill;

import dev.baton.lab.EchoLoad;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code baton drill} found, as text for people and as a map for {@code --json}, and its exit status: 0 only
 * when the switch happened and nothing was lost.
 *
 * @param settings      what was run
 * @param hard          whether the active was killed (SIGKILL) rather than switched over
 * @param verdict       the outcome
 * @param reason        one line: why that verdict
 * @param from          the router that was active before ("" when the drill did not get that far)
 * @param to            the synchronized standby that was to take over ("" likewise)
 * @param switchOutcome the router's answer to the switch-over, or what the kill did ("" when not done)
 * @param takeoverMs    from the command (or SIGKILL) to the standby seen ACTIVE, ms; -1 when not seen
 * @param before        each router before the drill
 * @param after         each router after it (empty when the drill did not get that far)
 * @param tablesAgree   whether the routers reported the same table size and digest after the drill (informational:
 *                      a connection opening or closing between the two reads changes one of them first)
 * @param load          what the clients saw, or null when the drill did not open connections
 */
public record DrillReport(DrillLoad.Settings settings, boolean hard, Verdict verdict, String reason, String from, String to,
                          String switchOutcome, long takeoverMs, List<PairControl.RouterView> before,
                          List<PairControl.RouterView> after, boolean tablesAgree, LoadOutcome load) {

    public static final int EXIT_PASSED = 0;
    public static final int EXIT_LOST = 1;
    /** The pair could not be drilled: no active, no synchronized standby, a router that does not answer. */
    public static final int EXIT_NOT_READY = 3;
    /** Broken connections listed in the text, at most. */
    static final int BROKEN_LISTED = 10;

    public enum Verdict {
        /** The VIP moved and every connection carried on: nothing lost. */
        PASSED(EXIT_PASSED),
        /** Something was lost, or the switch did not happen: the pair failed the drill. */
        FAILED(EXIT_LOST),
        /** The drill did not run: nothing to fail over to, or the pair cannot be read. */
        NOT_READY(EXIT_NOT_READY);

        public final int exitStatus;

        Verdict(int exitStatus) {
            this.exitStatus = exitStatus;
        }
    }

    public static DrillReport notReady(DrillLoad.Settings settings, boolean hard, String reason, List<PairControl.RouterView> before) {
        return new DrillReport(settings, hard, Verdict.NOT_READY, reason, "", "", "", -1, before, List.of(), false, null);
    }

    public int exitStatus() {
        return verdict.exitStatus;
    }

    /** The nearest-rank percentile of the per-connection longest stalls, ms; NaN without stalls (keepalive mode). */
    public double stallPercentileMs(double percentile) {
        if (load == null || load.stallsNs().isEmpty()) {
            return Double.NaN;
        }
        List<Double> ms = load.stallsNs().stream().map(ns -> ns / 1e6).sorted().toList();
        return EchoLoad.nearestRank(ms, percentile);
    }

    // ------------------------------------------------------------------------------------------ text

    public String text() {
        StringBuilder t = new StringBuilder();
        DrillLoad.Settings s = settings;
        t.append(String.format(Locale.ROOT, "baton drill: %s:%d, %s, %d connections, %d ms measured%s, a probe every %d ms%s%n",
                s.target().getHostString(), s.target().getPort(), s.mode().label(), s.connections(), s.duration().toMillis(),
                s.mode() == DrillLoad.Mode.ECHO ? ", a message every " + s.interval().toMillis() + " ms on each" : "",
                s.probeInterval().toMillis(), hard ? "; --hard: kill -9 of the active" : ""));
        line(t, "routers before", tables(before));
        if (!from.isEmpty()) {
            line(t, hard ? "kill -9" : "switch-over", from + " -> " + to + ": " + switchOutcome
                    + (takeoverMs >= 0 ? "; " + to + " ACTIVE " + takeoverMs + " ms after the command" : "; " + to + " not seen ACTIVE"));
        }
        if (load != null) {
            line(t, "connections kept", String.format(Locale.ROOT, "%d/%d (%.1f %%)", load.kept(), load.connections(),
                    100.0 * load.kept() / load.connections()));
            if (s.mode() == DrillLoad.Mode.ECHO) {
                line(t, "messages", String.format(Locale.ROOT, "%d sent, %d echoed intact, %d lost, %d connections mismatched",
                        load.messagesSent(), load.messagesEchoed(), load.messagesAwaited(), load.mismatches()));
                line(t, "client stall", String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms, max %.1f ms (each connection's"
                        + " longest gap between echoes)", stallPercentileMs(50), stallPercentileMs(99), stallPercentileMs(100)));
            } else {
                line(t, "bytes received", load.bytesReceived() + " (counted, not checked: keepalive mode knows no protocol)");
            }
            ProbeOutage.Result p = load.probes();
            line(t, "new connections", String.format(Locale.ROOT, "%d/%d probes good; %s", p.good(), p.probes(),
                    p.failed() == 0 ? "no outage"
                            : String.format(Locale.ROOT, "outage %.0f ms from %+.0f ms after the command%s", p.outageNs() / 1e6,
                            p.beganNs() / 1e6, p.recovered() ? "" : " (not recovered: no good probe after the last failure)")));
            for (String e : load.probeErrors()) {
                line(t, "", e);
            }
            if (load.probesSkipped() > 0) {
                line(t, "", load.probesSkipped() + " probes not opened (" + DrillLoad.MAX_OPEN_PROBES + " open at once at most)");
            }
            int listed = 0;
            for (LoadOutcome.Broken b : load.broken()) {
                if (listed++ == BROKEN_LISTED) {
                    line(t, "", "... and " + (load.broken().size() - BROKEN_LISTED) + " more");
                    break;
                }
                line(t, "lost", String.format(Locale.ROOT, "connection %d: %s (%+.0f ms after the command)", b.connection() + 1, b.why(),
                        b.atNs() / 1e6));
            }
            line(t, "client loop", String.format(Locale.ROOT, "late by up to %.1f ms (a stall the client caused itself)",
                    load.maxLatenessNs() / 1e6));
            if (load.failure() != null) {
                line(t, "load failed", String.valueOf(load.failure()));
            }
        }
        if (!after.isEmpty()) {
            line(t, "routers after", tables(after) + (hard ? "" : tablesAgree ? " (tables agree)" : " (tables differed when read)"));
        }
        t.append(verdict).append(": ").append(reason).append('\n');
        return t.toString();
    }

    private static void line(StringBuilder t, String label, String text) {
        t.append(String.format(Locale.ROOT, "  %-17s %s%n", label.isEmpty() ? "" : label + ":", text));
    }

    private static String tables(List<PairControl.RouterView> views) {
        List<String> all = new ArrayList<>();
        for (PairControl.RouterView v : views) {
            all.add(v.describe());
        }
        return String.join("; ", all);
    }

    // ------------------------------------------------------------------------------------------ JSON

    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("verdict", verdict.name().toLowerCase(Locale.ROOT));
        m.put("exit_status", exitStatus());
        m.put("reason", reason);
        m.put("target", settings.target().getHostString() + ":" + settings.target().getPort());
        m.put("mode", settings.mode().label());
        m.put("connections", settings.connections());
        m.put("duration_ms", settings.duration().toMillis());
        m.put("interval_ms", settings.interval().toMillis());
        m.put("probe_interval_ms", settings.probeInterval().toMillis());
        m.put("hard", hard);
        m.put("from", from);
        m.put("to", to);
        m.put("switch_outcome", switchOutcome);
        m.put("takeover_ms", takeoverMs);
        m.put("before", routers(before));
        m.put("after", routers(after));
        m.put("tables_agree_after", tablesAgree);
        if (load != null) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("kept", load.kept());
            l.put("total", load.connections());
            l.put("messages_sent", load.messagesSent());
            l.put("messages_echoed", load.messagesEchoed());
            l.put("messages_lost", load.messagesAwaited());
            l.put("mismatched_connections", load.mismatches());
            l.put("bytes_received", load.bytesReceived());
            if (!load.stallsNs().isEmpty()) {
                l.put("stall_p50_ms", round(stallPercentileMs(50)));
                l.put("stall_p99_ms", round(stallPercentileMs(99)));
                l.put("stall_max_ms", round(stallPercentileMs(100)));
            }
            ProbeOutage.Result p = load.probes();
            Map<String, Object> probes = new LinkedHashMap<>();
            probes.put("total", p.probes());
            probes.put("good", p.good());
            probes.put("failed", p.failed());
            probes.put("recovered", p.recovered());
            probes.put("outage_ms", round(p.outageNs() / 1e6));
            probes.put("outage_began_ms", round(p.beganNs() / 1e6));
            probes.put("errors", load.probeErrors());
            probes.put("skipped", load.probesSkipped());
            l.put("probes", probes);
            List<Object> broken = new ArrayList<>();
            for (LoadOutcome.Broken b : load.broken()) {
                broken.add(Map.of("connection", b.connection() + 1, "why", b.why(), "at_ms", round(b.atNs() / 1e6)));
            }
            l.put("lost", broken);
            l.put("client_loop_late_ms", round(load.maxLatenessNs() / 1e6));
            if (load.failure() != null) {
                l.put("failure", String.valueOf(load.failure()));
            }
            m.put("load", l);
        }
        return m;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static List<Object> routers(List<PairControl.RouterView> views) {
        List<Object> all = new ArrayList<>();
        for (PairControl.RouterView v : views) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("router", v.router());
            r.put("socket", v.socket().toString());
            if (v.answered()) {
                r.put("state", v.state());
                r.put("sync", v.sync());
                r.put("table_size", v.tableSize());
                r.put("table_digest", v.tableDigest());
            } else {
                r.put("error", v.error());
            }
            all.add(r);
        }
        return all;
    }
}
