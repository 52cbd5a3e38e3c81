package dev.baton.control.text;

import java.util.List;
import java.util.Map;

/** Renders control-socket results for people (the {@code --json} flag prints them as they come). */
public final class TextReport {

    private TextReport() {
    }

    /** {@code name{key="value",...} value}, one counter a line (the Prometheus text format's sample lines). */
    @SuppressWarnings("unchecked")
    public static String counters(List<Object> rows) {
        StringBuilder out = new StringBuilder();
        for (Object o : rows) {
            Map<String, Object> row = (Map<String, Object>) o;
            out.append(row.get("name"));
            Map<String, Object> labels = (Map<String, Object>) row.get("labels");
            if (labels != null && !labels.isEmpty()) {
                StringBuilder l = new StringBuilder();
                for (Map.Entry<String, Object> e : labels.entrySet()) {
                    l.append(l.isEmpty() ? "" : ",").append(e.getKey()).append("=\"")
                            .append(String.valueOf(e.getValue()).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
                            .append('"');
                }
                out.append('{').append(l).append('}');
            }
            out.append(' ').append(row.get("value")).append('\n');
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    public static String stats(Map<String, Object> s) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("router %s  workers %s  connections %s/%s%n", s.get("router"), s.get("workers"), s.get("connections"), s.get("capacity")));
        out.append(String.format("received %s frames (%s bytes), forwarded %s frames (%s bytes)%n",
                s.get("rx_frames"), s.get("rx_bytes"), s.get("forwarded_frames"), s.get("forwarded_bytes")));
        out.append(String.format("arp: %s replies for VIPs sent, %s requests to servers sent, %s learned; icmp errors forwarded %s%n",
                s.get("arp_replies_sent"), s.get("arp_requests_sent"), s.get("arp_learned"), s.get("icmp_errors_forwarded")));
        Map<String, Object> drops = (Map<String, Object>) s.get("drops");
        StringBuilder dropLine = new StringBuilder();
        for (var e : drops.entrySet()) {
            if (((Number) e.getValue()).longValue() != 0) {
                dropLine.append(' ').append(e.getKey()).append('=').append(e.getValue());
            }
        }
        out.append("drops:").append(dropLine.isEmpty() ? " none" : dropLine).append('\n');
        for (Object o : (List<Object>) s.getOrDefault("rings", List.of())) {
            Map<String, Object> ring = (Map<String, Object>) o;
            out.append(String.format("ring %s worker %s: rx %s frames, %s dropped (ring full), %s truncated; tx %s frames, %s rejected%n",
                    ring.get("interface"), ring.get("worker"), ring.get("rx_packets"), ring.get("rx_drops"),
                    ring.get("rx_truncated"), ring.get("tx_frames"), ring.get("tx_malformed")));
        }
        for (Object o : (List<Object>) s.get("services")) {
            Map<String, Object> service = (Map<String, Object>) o;
            out.append(String.format("%nservice %s  vip %s/%s  %s  packets %s  bytes %s  connections %s  drops %s%n",
                    service.get("name"), service.get("vip"), service.get("protocol"),
                    Boolean.TRUE.equals(service.get("owned")) ? "active" : "not owned",
                    service.get("packets"), service.get("bytes"), service.get("connections_total"), service.get("drops")));
            Object byReason = service.get("drops_by_reason");
            if (byReason instanceof Map<?, ?> reasons && !reasons.isEmpty()) {
                out.append("  drops by reason: ").append(reasons).append('\n');
            }
            out.append(String.format("  %-16s %6s %-10s %-18s %-10s %12s %14s %8s %8s%n", "server", "weight", "health", "mac", "arp",
                    "packets", "bytes", "conns", "active"));
            for (Object so : (List<Object>) service.get("servers")) {
                Map<String, Object> server = (Map<String, Object>) so;
                String health = Boolean.TRUE.equals(server.get("drained")) ? "drained"
                        : server.get("health") == null ? "-" : String.valueOf(server.get("health"));
                out.append(String.format("  %-16s %6s %-10s %-18s %-10s %12s %14s %8s %8s%n", server.get("address"), server.get("weight"),
                        health, server.get("mac") == null ? "-" : server.get("mac"),
                        Boolean.TRUE.equals(server.get("resolved")) ? "resolved" : "unresolved",
                        server.get("packets"), server.get("bytes"), server.get("connections_total"), server.get("connections_active")));
            }
        }
        return out.toString();
    }

    /** {@code baton ctl health} as text: one line per checked server, then per probed element. */
    @SuppressWarnings("unchecked")
    public static String health(Map<String, Object> status) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-24s %-16s %-6s %-8s %s%n", "server", "address", "probe", "health", "last result"));
        for (Object so : (List<Object>) status.get("servers")) {
            Map<String, Object> row = (Map<String, Object>) so;
            // An alternate address (address substitution) is marked "in use" while the server is reached there.
            String address = row.get("address").equals(row.get("server")) ? "configured"
                    : row.get("address") + (Boolean.TRUE.equals(row.get("reached_here")) ? " (in use)" : "");
            out.append(String.format("%-24s %-16s %-6s %-8s %s%n", row.get("service") + " " + row.get("server"), address,
                    row.get("probe"), row.get("health"), row.get("cause")));
        }
        List<Object> elements = (List<Object>) status.get("elements");
        if (!elements.isEmpty()) {
            out.append(String.format("%-24s %-6s %-8s %s%n", "reachability element", "probe", "health", "last result"));
            for (Object eo : elements) {
                Map<String, Object> row = (Map<String, Object>) eo;
                out.append(String.format("%-24s %-6s %-8s %s%n", String.valueOf(row.get("name")).replaceFirst("^reachability/", ""), row.get("probe"), row.get("health"),
                        row.get("cause")));
            }
        }
        out.append("probes started ").append(status.get("probes_started")).append(", timed out ").append(status.get("timeouts"))
                .append('\n');
        return out.toString();
    }

    /** {@code baton ctl reachability} as text. */
    @SuppressWarnings("unchecked")
    public static String reachability(Map<String, Object> status) {
        StringBuilder out = new StringBuilder();
        out.append("router ").append(status.get("router")).append(": compare ").append(status.get("compare"))
                .append(", min-improvement ").append(status.get("min_improvement")).append(", hold ").append(status.get("hold_ms"))
                .append(" ms").append(Boolean.TRUE.equals(status.get("settled")) ? "" : " (not settled: an element has no probe result yet)")
                .append('\n');
        List<Object> probes = (List<Object>) status.get("probes");
        if (probes != null) {
            // This router's own elements: its probes say how and why.
            for (Object eo : probes) {
                Map<String, Object> element = (Map<String, Object>) eo;
                out.append(String.format("  %-24s %-8s %-7s %s%n", element.get("name"), element.get("health"), element.get("probe"),
                        element.get("cause")));
                if (element.get("members") != null) {
                    // A subnet element: how many of its members answer now, and which do not.
                    List<Object> down = (List<Object>) element.get("members_down");
                    out.append(String.format("    %s: %s of %s members up now (min-up %s)%s%n", element.get("subnet"),
                            element.get("members_up"), element.get("members"), element.get("min_up"),
                            down.isEmpty() ? "" : "; down: " + String.join(", ", down.stream().map(String::valueOf).toList())));
                }
            }
        } else {
            reachabilityElements(out, (List<Object>) status.get("elements"));
        }
        for (Object po : (List<Object>) status.get("peers")) {
            Map<String, Object> peer = (Map<String, Object>) po;
            out.append("peer ").append(peer.get("name")).append(": ");
            if (peer.get("report_age_ms") == null) {
                out.append("no report yet\n");
                continue;
            }
            out.append(Boolean.TRUE.equals(peer.get("current")) ? "report " : "stale report ").append(peer.get("report_age_ms"))
                    .append(" ms old (generation ").append(peer.get("generation")).append(")\n");
            reachabilityElements(out, (List<Object>) peer.get("elements"));
        }
        for (Object vo : (List<Object>) status.get("vips")) {
            Map<String, Object> vip = (Map<String, Object>) vo;
            out.append("vip ").append(vip.get("vip")).append(": ");
            if (!Boolean.TRUE.equals(vip.get("active_here")) || vip.get("order") == null) {
                out.append("not active here (the active router's RM decides)\n");
                continue;
            }
            out.append(vip.get("reason")).append('\n');
            out.append(String.format("  %-20s %8s %10s %-12s %s%n", "router", "score", "reachable", "better for", "unreachable"));
            for (Object ro : (List<Object>) vip.get("order")) {
                Map<String, Object> row = (Map<String, Object>) ro;
                long betterFor = ((Number) row.get("better_for_ms")).longValue();
                out.append(String.format("  %-20s %8s %10s %-12s %s%n",
                        row.get("router") + (Boolean.TRUE.equals(row.get("self")) ? " (this)" : Boolean.TRUE.equals(row.get("ready")) ? "" : " (not ready)"),
                        row.get("score") + (Boolean.TRUE.equals(row.get("all_required")) ? "" : "!"),
                        row.get("reachable") + "/" + row.get("elements"), betterFor < 0 ? "-" : betterFor + " ms", row.get("unreachable")));
            }
        }
        return out.toString();
    }

    @SuppressWarnings("unchecked")
    private static void reachabilityElements(StringBuilder out, List<Object> elements) {
        for (Object eo : elements) {
            Map<String, Object> element = (Map<String, Object>) eo;
            out.append(String.format("  %-24s %-8s weight %-4s%s%n", element.get("name"), element.get("health"), element.get("weight"),
                    Boolean.TRUE.equals(element.get("required")) ? " required" : ""));
        }
    }

    @SuppressWarnings("unchecked")
    public static String connections(List<Object> rows) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-5s %-22s %-22s %-12s %-16s %-12s %8s%n", "proto", "client", "vip", "service", "server", "state", "idle"));
        for (Object o : rows) {
            Map<String, Object> r = (Map<String, Object>) o;
            out.append(String.format("%-5s %-22s %-22s %-12s %-16s %-12s %7sms%n", r.get("protocol"), r.get("client"), r.get("vip"),
                    r.get("service"), r.get("server"), r.get("state"), r.get("idle_ms")));
        }
        out.append(rows.size()).append(" connection(s) shown\n");
        return out.toString();
    }

    public static String lookup(Map<String, Object> r) {
        StringBuilder out = new StringBuilder();
        out.append(r.get("flow")).append('\n');
        String decision = String.valueOf(r.get("decision"));
        out.append(switch (decision) {
            case "connection" -> "  -> " + r.get("server") + "  (existing connection, state " + r.get("state") + ")";
            case "persistence" -> "  -> " + r.get("server") + "  (client persistence)";
            case "scheduler" -> "  -> " + r.get("server") + "  (a new connection now would be scheduled here)";
            case "no-server" -> "  -> no server is available (unresolved, failing its health check, drained or weight 0): dropped";
            case "no-service" -> "  -> the VIP serves no such port/protocol: dropped";
            case "not-vip" -> "  -> not a VIP of this router: not forwarded";
            default -> "  -> " + decision;
        }).append('\n');
        if (r.containsKey("service")) {
            out.append("  service ").append(r.get("service")).append(", worker ").append(r.get("worker"))
                    .append(Boolean.TRUE.equals(r.get("owned")) ? "" : ", VIP not owned by this router now").append('\n');
        }
        return out.toString();
    }

    /**
     * {@code baton ctl status}: the router summary, then with peers one block per VIP (state, sync, who is
     * active, table size and digest, last transition, each peer's view) and one line per peer link.
     */
    @SuppressWarnings("unchecked")
    public static String status(Map<String, Object> s) {
        Map<String, Object> plain = new java.util.LinkedHashMap<>(s);
        Object ha = plain.remove("high_availability");
        StringBuilder out = new StringBuilder(generic(plain));
        if (!(ha instanceof Map<?, ?>)) {
            return out.toString();
        }
        Map<String, Object> h = (Map<String, Object>) ha;
        out.append("high availability: router number ").append(h.get("router_number"))
                .append(", services digest ").append(h.get("config_digest")).append('\n');
        for (Object item : (List<Object>) h.get("vips")) {
            Map<String, Object> v = (Map<String, Object>) item;
            out.append(String.format("  VIP %s %s: %s (%s) %s, sync %s, %s, priority %s%n", v.get("vip"), v.get("services"),
                    v.get("state"), v.get("state_code"), Boolean.TRUE.equals(v.get("forwarding")) ? "forwarding" : "not forwarding",
                    v.get("sync"), v.get("role"), v.get("priority")));
            out.append(String.format("    active: %s%s; table %s entries, digest %s%s%s%n", v.get("active_peer"),
                    "".equals(v.get("following")) ? "" : ", following " + v.get("following"), v.get("table_size"), v.get("table_digest"),
                    Boolean.TRUE.equals(v.get("local_links_up")) ? "" : "; A LOCAL LINK IS DOWN",
                    Boolean.TRUE.equals(v.get("config_differs")) ? "; CONFIGURATION DIFFERS FROM A PEER'S" : ""));
            if (v.get("last_transition") instanceof Map<?, ?> t) {
                out.append(String.format("    last: %s -> %s [%s] %s ms ago: %s%n", t.get("from"), t.get("to"), t.get("reference"),
                        t.get("ago_ms"), t.get("reason")));
            }
            for (Object peerItem : (List<Object>) v.get("peers")) {
                Map<String, Object> p = (Map<String, Object>) peerItem;
                out.append(String.format("    peer %s: %s%s%n", p.get("peer"), p.get("state"),
                        p.containsKey("table_size") ? ", sync " + p.get("sync") + ", table " + p.get("table_size") + " entries, digest "
                                + p.get("table_digest") + ", heard " + p.get("heard_ms_ago") + " ms ago" : ""));
            }
            if (v.get("replication") instanceof Map<?, ?> r) {
                out.append("    replication:");
                r.forEach((key, value) -> out.append(' ').append(key).append('=').append(value));
                out.append('\n');
            }
        }
        for (Object item : (List<Object>) h.get("peers")) {
            Map<String, Object> p = (Map<String, Object>) item;
            out.append(String.format("  peer %s (router %s): %s%n", p.get("name"), p.get("router_number"), p.get("state")));
            for (Object linkItem : (List<Object>) p.get("links")) {
                Map<String, Object> l = (Map<String, Object>) linkItem;
                out.append(String.format("    link %s %s: %s, heard %s ms ago, heartbeats %s sent / %s received, %s failures%n",
                        l.get("link"), l.get("addresses"), l.get("state"), l.get("heard_ms_ago"), l.get("heartbeats_sent"),
                        l.get("heartbeats_received"), l.get("failures")));
            }
        }
        out.append("  peer messages:");
        ((Map<String, Object>) h.get("peer_messages")).forEach((key, value) -> out.append(' ').append(key).append('=').append(value));
        out.append('\n');
        if (h.get("server_settings") instanceof Map<?, ?> settings) {
            serverSettings((Map<String, Object>) settings, out);
        }
        return out.toString();
    }

    /** The drains and weights an operator set, on every router of the group, each with where it was given. */
    @SuppressWarnings("unchecked")
    private static void serverSettings(Map<String, Object> settings, StringBuilder out) {
        List<Object> servers = (List<Object>) settings.get("servers");
        out.append(String.format("  operator settings of servers (every router holds them): %s%n",
                servers.isEmpty() ? "none" : servers.size() + " server(s)"));
        for (Object item : servers) {
            Map<String, Object> row = (Map<String, Object>) item;
            out.append(String.format("    %s %s: %s, weight %s (given on %s)%n", row.get("service"), row.get("server"),
                    Boolean.TRUE.equals(row.get("drained")) ? "drained" : "not drained",
                    row.get("weight") == null ? "as configured" : row.get("weight"), row.get("origin")));
        }
    }

    /** {@code baton ctl events}: one line per event, oldest first. */
    @SuppressWarnings("unchecked")
    public static String events(Map<String, Object> r) {
        StringBuilder out = new StringBuilder();
        if (r.get("note") != null) {
            out.append(r.get("note")).append('\n');
        }
        for (Object item : (List<Object>) r.get("events")) {
            Map<String, Object> e = (Map<String, Object>) item;
            String vip = String.valueOf(e.get("vip"));
            String reference = "0".equals(String.valueOf(e.get("reference"))) ? "" : " [" + e.get("reference") + "]";
            String change = "transition".equals(e.get("kind")) ? " " + e.get("from") + " -> " + e.get("to") : "";
            out.append(e.get("time")).append(' ').append(vip.isEmpty() ? "router" : vip).append(' ').append(e.get("kind"))
                    .append(change).append(reference).append(": ").append(e.get("text")).append('\n');
        }
        return out.toString();
    }

    /**
     * {@code baton ctl reload}'s answer: the outcome, the file and its digest on the first line, then one change a line,
     * for example:
     *
     * <pre>
     * reloaded /etc/baton/baton.yaml: 2 changes (configuration digest 5f3a9c01d2e4b687)
     *   service web: server 198.51.100.13 added (weight 10)
     *   service web: server 198.51.100.11 weight 10 -> 5
     * </pre>
     *
     * or {@code unchanged: /etc/baton/baton.yaml is what the router runs (configuration digest ...)}.
     */
    public static String reload(Map<String, Object> r) {
        List<String> changes = r.get("changes") instanceof List<?> list ? list.stream().map(c -> printable(String.valueOf(c))).toList() : List.of();
        String config = printable(String.valueOf(r.get("config")));
        String digest = " (configuration digest " + printable(String.valueOf(r.get("config_digest"))) + ")";
        String outcome = printable(String.valueOf(r.get("outcome")));
        if (outcome.equals("unchanged") && changes.isEmpty()) {
            return "unchanged: " + config + " is what the router runs" + digest + "\n";
        }
        StringBuilder out = new StringBuilder(outcome).append(' ').append(config).append(": ").append(changes.size())
                .append(changes.size() == 1 ? " change" : " changes").append(digest).append('\n');
        for (String change : changes) {
            out.append("  ").append(change).append('\n');
        }
        return out.toString();
    }

    /**
     * A reload the router refused ({@code {"ok":false,"error":...}}): the error is the file's problems, one a line
     * ({@code /etc/baton/baton.yaml:14:15: services[0].servers[1].weight: ...}), each printed on its own line under a
     * header that says nothing changed.
     */
    public static String reloadRefused(String error) {
        StringBuilder out = new StringBuilder("baton ctl reload: refused; the router's running configuration stays:\n");
        String text = error == null ? "" : error;
        text.lines().filter(line -> !line.isBlank()).forEach(line -> out.append("  ").append(printable(line.strip())).append('\n'));
        return out.toString();
    }

    /**
     * {@code text} with each control character shown as a Java escape (ESC becomes backslash, {@code u001b}): what a
     * router or a file sends is printed to a terminal, where an escape sequence would act instead of showing.
     */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Generic: key: value lines, nested maps and lists indented. */
    public static String generic(Object value) {
        StringBuilder out = new StringBuilder();
        generic(value, "", out);
        return out.toString();
    }

    private static void generic(Object value, String indent, StringBuilder out) {
        if (value instanceof Map<?, ?> map) {
            for (var e : map.entrySet()) {
                if (e.getValue() instanceof Map<?, ?> || e.getValue() instanceof List<?>) {
                    out.append(indent).append(e.getKey()).append(":\n");
                    generic(e.getValue(), indent + "  ", out);
                } else {
                    out.append(indent).append(e.getKey()).append(": ").append(e.getValue()).append('\n');
                }
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof Map<?, ?> || item instanceof List<?>) {
                    out.append(indent).append("-\n");
                    generic(item, indent + "  ", out);
                } else {
                    out.append(indent).append("- ").append(item).append('\n');
                }
            }
        } else {
            out.append(indent).append(value).append('\n');
        }
    }
}
