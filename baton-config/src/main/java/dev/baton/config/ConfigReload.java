package dev.baton.config;

import dev.baton.codec.Ipv4;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * Reads the configuration file again for a running router ({@code baton ctl reload}, SIGHUP) and decides whether it
 * can be applied in place. The file is read and checked exactly as {@link ConfigLoader} does, and a file with
 * problems of its own is rejected with those alone, as {@code baton check} prints them (a half-read file compared
 * with the running configuration would report the consequences of its mistakes as changes). A file that loads is
 * then compared with the running configuration: every difference a running router cannot take is a
 * {@link ConfigProblem} at its key in the new file (at the enclosing mapping where the key is left out), all of them
 * in one {@link ConfigException}, in file order:
 *
 * <pre>
 * baton.yaml:3:12: router.workers: 4 here, 2 in the running router; a reload cannot change it: restart the router (systemctl restart baton), or set it back; for example: workers: 2
 * </pre>
 *
 * <p>Applied in place: services added or removed under the VIPs the router serves, each service's ports, protocol,
 * scheduler, persistence, servers and fallback servers (added, removed, reordered, weights, alternates), health check
 * and on-server-down; {@code table.timeouts}; {@code neighbours}. {@link ConfigChanges} describes those. Everything else
 * is set up once at start, for the reason given where it is compared here, and needs a restart.
 *
 * <p>Runs, as loading does, on whichever thread reloads the router, never on a forwarding thread.
 */
public final class ConfigReload {

    /** What every refusal tells the operator to do instead. */
    private static final String RESTART = "restart the router (systemctl restart baton)";

    private final ProblemCollector problems;
    private final Node root;
    private final BatonConfig running;

    private ConfigReload(ProblemCollector problems, Node root, BatonConfig running) {
        this.problems = problems;
        this.root = root;
        this.running = running;
    }

    /**
     * Reads and checks {@code file} as {@link ConfigLoader#load(Path)} does (the router id defaults to this machine's
     * host name), then against {@code running}.
     *
     * @return the new configuration, which differs from {@code running} only in what a reload applies in place
     * @throws ConfigException with the file's own problems, or else with every difference a reload cannot apply
     */
    public static BatonConfig load(Path file, BatonConfig running) throws ConfigException {
        return load(ConfigLoader.readText(file), file, ConfigLoader.localHostname(), running);
    }

    /** As {@link #load(Path, BatonConfig)}, for {@code text} named {@code nameForMessages}, with {@code hostname}. */
    static BatonConfig load(String text, Path nameForMessages, String hostname, BatonConfig running) throws ConfigException {
        Objects.requireNonNull(running, "running");
        ConfigLoader.Checked checked = ConfigLoader.readChecked(text, nameForMessages, hostname);
        BatonConfig next = checked.draft().toConfig(nameForMessages);
        ProblemCollector problems = new ProblemCollector(nameForMessages);
        new ConfigReload(problems, checked.root(), running).compare(checked.draft(), next);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.inFileOrder());
        }
        return next;
    }

    /**
     * What a reload from {@code running} to {@code next} (a configuration {@link #load} returned for it) changes in place,
     * one line each, for the reply of {@code baton ctl reload} and the log: {@link ConfigChanges#between}'s lines.
     */
    public static List<String> changes(BatonConfig running, BatonConfig next) {
        return ConfigChanges.between(running, next).lines();
    }

    private void compare(ConfigDraft draft, BatonConfig next) {
        compareRouter(draft.router());
        compareInterfaces(draft);
        // The table is allocated, shard by shard, at start; each shard is given its per-source limit when it is built.
        same(draft.table().capacity(), running.table().capacity(), String::valueOf);
        same(draft.table().perSourceLimit(), running.table().perSourceLimit(), String::valueOf);
        compareVips(draft.services());
        // The HA agent (peer sockets, keys, the incarnation in the state directory, one FIG. 3 monitor per VIP) is
        // built once at start from this section.
        section(ConfigSchema.HIGH_AVAILABILITY.name(), draft.highAvailability(), running.highAvailability(),
                ConfigReload::describe, this::compareHighAvailability);
        // The probes of the reachability set start with the router, and peers compare reports element by element.
        section(ConfigSchema.REACHABILITY.name(), draft.reachability(), running.reachability(),
                ConfigReload::describe,
                (section, settings) -> compareReachability(section, next.reachability().orElseThrow(), settings));
        // The notify runner starts with the HA agent, and the metrics listener is bound at start.
        section(ConfigSchema.NOTIFY.name(), draft.notifyScript(), running.notifyScript(),
                settings -> "on-state-change " + settings.onStateChange(), (notify, settings) -> {
                    same(notify.onStateChange(), settings.onStateChange(), Path::toString);
                    same(notify.timeout(), settings.timeout(), ConfigValues::formatDuration);
                });
        section(ConfigSchema.METRICS.name(), draft.metrics(), running.metrics(),
                settings -> "listen " + settings.listenText(),
                (metrics, settings) -> same(metrics.listen(), settings, MetricsSettings::listenText));
    }

    /**
     * The router process itself: its id names it to its peers, the control socket is bound at start, the workers are
     * the table's shards (a connection's worker follows from its hash, PACKET_FANOUT), and the data path and rings are
     * attached and mapped once per interface and worker.
     */
    private void compareRouter(ConfigDraft.Router router) {
        RouterSettings settings = running.router();
        same(router.id(), settings.id(), Function.identity());
        same(router.controlSocket(), settings.controlSocket(), Path::toString);
        same(router.workers(), settings.workers(), String::valueOf);
        same(router.datapath(), settings.datapath(), RouterSettings.Datapath::configName);
        same(router.xdpMode(), settings.xdpMode(), RouterSettings.XdpMode::configName);
        ConfigDraft.Ring ring = router.ring();
        RingSettings rings = settings.ring();
        same(ring.blockSize(), rings.blockSizeBytes(), size -> ConfigValues.formatSize(size));
        same(ring.blockCount(), rings.blockCount(), String::valueOf);
        same(ring.blockTimeout(), Duration.ofMillis(rings.blockTimeoutMs()), ConfigValues::formatDuration);
        same(ring.txFrameSize(), rings.txFrameSizeBytes(), size -> ConfigValues.formatSize(size));
        same(ring.txFrameCount(), rings.txFrameCount(), String::valueOf);
        same(ring.version(), rings.version(), RingSettings.Version::configName);
        same(ring.rxFrameSize(), rings.rxFrameSizeBytes(), size -> ConfigValues.formatSize(size));
        same(ring.rxFrameCount(), rings.rxFrameCount(), String::valueOf);
    }

    /** Rings, the XDP program and the host guard are set up on each interface at start. */
    private void compareInterfaces(ConfigDraft draft) {
        Entries<ConfigDraft.Interface> interfaces = new Entries<>("interface", "interfaces", draft.interfacesAt(),
                draft.interfaces(), ConfigDraft.Interface::name, ConfigDraft.Interface::keyPath);
        sameEntries(interfaces, running.interfaces(), InterfaceConfig::name,
                entry -> "- { name: " + entry.name() + ", role: " + entry.role().configName() + ", address: " + entry.address() + " }",
                (entry, settings) -> {
                    same(entry.role(), settings.role(), InterfaceConfig.InterfaceRole::configName);
                    same(entry.address(), settings.address(), Ipv4Prefix::toString);
                });
    }

    /**
     * Each VIP is a unit of takeover with its own FIG. 3 state machine (US 6,148,410), kept per VIP in the order the
     * VIPs first appear among the services, and its role, priority and failback are that machine's own: the list
     * stays exactly the same, and so do those three of every service on a VIP.
     */
    private void compareVips(List<ConfigDraft.Service> services) {
        Map<Integer, ServiceConfig> runningVips = new LinkedHashMap<>();
        for (ServiceConfig service : running.services()) {
            runningVips.putIfAbsent(service.vip(), service);
        }
        Map<Integer, ConfigDraft.Service> nextVips = new LinkedHashMap<>();
        for (ConfigDraft.Service service : services) {
            nextVips.putIfAbsent(service.vip().value(), service);
        }
        String runningList = runningVips.keySet().stream().map(Ipv4::format).collect(Collectors.joining(", "));
        for (Map.Entry<Integer, ConfigDraft.Service> vip : nextVips.entrySet()) {
            if (!runningVips.containsKey(vip.getKey())) {
                Located<Integer> at = vip.getValue().vip();
                problems.add(at.at(), at.keyPath(), Ipv4.format(at.value()) + " is a VIP the running router does not serve ("
                        + runningList + "); each VIP has a takeover state machine of its own, so a reload cannot add one: "
                        + RESTART + ", or use a VIP it serves", "vip: " + Ipv4.format(runningVips.keySet().iterator().next()));
            }
        }
        for (Map.Entry<Integer, ServiceConfig> vip : runningVips.entrySet()) {
            if (!nextVips.containsKey(vip.getKey())) {
                List<String> names = running.services().stream().filter(service -> service.vip() == vip.getKey())
                        .map(service -> "'" + service.name() + "'").toList();
                problems.add(sectionAt(ConfigSchema.SERVICES.name()), ConfigSchema.SERVICES.name(), "no service here has VIP "
                        + Ipv4.format(vip.getKey()) + ", which the running router serves (service" + (names.size() == 1 ? " " : "s ")
                        + String.join(", ", names) + "); a reload cannot remove a VIP: " + RESTART + ", or keep a service on it",
                        "vip: " + Ipv4.format(vip.getKey()));
            }
        }
        firstMovedForward(nextVips.keySet(), runningVips.keySet()).ifPresent(moved -> {
            Located<Integer> at = nextVips.get(moved.getKey()).vip();
            String overtaken = Ipv4.format(moved.getValue());
            problems.add(at.at(), at.keyPath(), Ipv4.format(at.value()) + " comes before " + overtaken + " here and after it in"
                    + " the running router (its VIPs in order of first appearance: " + runningList + "); a reload cannot reorder"
                    + " the VIPs, each keeps its takeover state machine at its place: " + RESTART + ", or put a service of "
                    + overtaken + " before it", "");
        });
        for (ConfigDraft.Service service : services) {
            ServiceConfig vip = runningVips.get(service.vip().value());
            if (vip != null) {
                String cannot = "a reload cannot change the takeover settings of VIP " + Ipv4.format(vip.vip());
                same(service.role(), vip.role(), ServiceConfig.ServiceRole::configName, cannot);
                same(service.priority(), vip.priority(), String::valueOf, cannot);
                same(service.failback(), vip.failback(), ServiceConfig.Failback::configName, cannot);
            }
        }
    }

    private void compareHighAvailability(ConfigDraft.HighAvailability ha, HighAvailabilitySettings settings) {
        same(ha.routerNumber(), settings.routerNumber(), String::valueOf);
        same(ha.keyFile(), settings.keyFile(), Path::toString);
        same(ha.port(), settings.port(), String::valueOf);
        same(ha.listenTimeout(), settings.listenTimeout(), ConfigValues::formatDuration);
        same(ha.standbyTimeout(), settings.standbyTimeout(), ConfigValues::formatDuration);
        same(ha.preemptTimeout(), settings.preemptTimeout(), ConfigValues::formatDuration);
        same(ha.updateInterval(), settings.updateInterval(), ConfigValues::formatDuration);
        same(ha.linkFailureTime(), settings.linkFailureTime(), ConfigValues::formatDuration);
        same(ha.handoverDrain(), settings.handoverDrain(), ConfigValues::formatDuration);
        same(ha.shutdownHandoverTimeout(), settings.shutdownHandoverTimeout(), ConfigValues::formatDuration);
        same(ha.stateDirectory(), settings.stateDirectory(), Path::toString);
        same(ha.gratuitousArpCount(), settings.gratuitousArp().count(), String::valueOf);
        same(ha.gratuitousArpInterval(), settings.gratuitousArp().interval(), ConfigValues::formatDuration);
        same(ha.gratuitousArpReannounce(), settings.gratuitousArp().reannounce(), ConfigValues::formatDuration);
        same(ha.syncWindow(), settings.sync().window(), String::valueOf);
        same(ha.syncRetransmitTimeout(), settings.sync().retransmitTimeout(), ConfigValues::formatDuration);
        Entries<ConfigDraft.Peer> peers = new Entries<>("peer", "high-availability.peers",
                sectionAt(ConfigSchema.HIGH_AVAILABILITY.name()), ha.peers(), ConfigDraft.Peer::name, ConfigDraft.Peer::keyPath);
        sameEntries(peers, settings.peers(), PeerSettings::name,
                peer -> "- { name: " + peer.name() + ", router-number: " + peer.routerNumber() + ", links: ["
                        + peer.links().stream().map(ConfigReload::linkText).collect(Collectors.joining(", ")) + "] }",
                (peer, peerSettings) -> {
                    same(peer.routerNumber(), peerSettings.routerNumber(), String::valueOf);
                    List<PeerLinkSettings> links = peerSettings.links();
                    for (int i = 0; i < peer.links().size(); i++) {
                        ConfigDraft.Link link = peer.links().get(i);
                        if (i < links.size()) {
                            same(link.local(), links.get(i).localAddress(), Ipv4::format);
                            same(link.peer(), links.get(i).peerAddress(), Ipv4::format);
                        } else {
                            problems.add(link.local().at(), link.keyPath(), "is here, and the running router has " + links.size()
                                    + " link" + (links.size() == 1 ? "" : "s") + " to " + peer.label() + "; " + cannot("add one")
                                    + ", or leave it out", "");
                        }
                    }
                    for (int i = peer.links().size(); i < links.size(); i++) {
                        problems.add(peer.name().at(), peer.keyPath() + ".links", "the running router's link "
                                + linkText(links.get(i)) + " to " + peer.label() + " is left out here; " + cannot("remove one")
                                + ", or put it back", "- " + linkText(links.get(i)));
                    }
                });
    }

    private void compareReachability(ConfigDraft.Reachability section, ReachabilitySettings next, ReachabilitySettings settings) {
        same(section.compare(), settings.compare(), ReachabilitySettings.Compare::configName);
        same(section.minImprovement(), settings.minImprovement(), String::valueOf);
        same(section.hold(), settings.hold(), ConfigValues::formatDuration);
        same(section.reportInterval(), settings.reportInterval(), ConfigValues::formatDuration);
        // The settings of each element as the router runs them (a subnet element's members, a service element's probe)
        // beside the draft's entries, which say where each key is written.
        Map<ConfigDraft.Target, ReachabilitySettings.Target> built = new LinkedHashMap<>();
        for (int i = 0; i < section.targets().size(); i++) {
            built.put(section.targets().get(i), next.targets().get(i));
        }
        Entries<ConfigDraft.Target> targets = new Entries<>("element", section.keyPath() + ".targets",
                sectionAt(ConfigSchema.REACHABILITY.name()), section.targets(), ConfigDraft.Target::name, ConfigDraft.Target::keyPath);
        sameEntries(targets, settings.targets(), ReachabilitySettings.Target::name, target -> "",
                (target, old) -> compareTarget(target, built.get(target), old));
    }

    private void compareTarget(ConfigDraft.Target target, ReachabilitySettings.Target next, ReachabilitySettings.Target old) {
        same(written(target, target.address(), "address", next.address()), old.address(), ConfigReload::addressOrNone);
        same(written(target, target.service(), "service", next.service()), old.service(),
                service -> service == null ? "none" : service);
        same(written(target, target.subnet(), "subnet", next.subnet()), old.subnet(),
                subnet -> subnet == null ? "none" : subnet.subnetText());
        same(new Located<>(next.probe(), target.probe().at(), target.probe().keyPath(), target.probe().defaulted()), old.probe(),
                ReachabilitySettings.Probe::configName);
        same(written(target, target.port(), "port", next.port()), old.port(), port -> port == 0 ? "none" : port.toString());
        same(written(target, target.minUp(), "min-up", next.minUp()), old.minUp(), String::valueOf);
        same(target.interval(), old.interval(), ConfigValues::formatDuration);
        same(target.timeout(), old.timeout(), ConfigValues::formatDuration);
        same(target.rise(), old.rise(), String::valueOf);
        same(target.fall(), old.fall(), String::valueOf);
        same(target.weight(), old.weight(), String::valueOf);
        same(target.required(), old.required(), String::valueOf);
        if (next.ofSubnet() && old.ofSubnet() && next.subnet().equals(old.subnet()) && !next.members().equals(old.members())) {
            // Without addresses, a subnet element's members are the configured servers inside it: changing servers
            // would change the set the router probes.
            String members = old.members().stream().map(Ipv4::format).collect(Collectors.joining(", "));
            Located<?> where = target.addresses().filter(list -> !list.isEmpty()).<Located<?>>map(List::getFirst)
                    .orElse(target.subnet().orElseThrow());
            String written = target.addresses().isPresent() ? "" : " (the configured servers inside "
                    + next.subnet().subnetText() + ")";
            problems.add(where.at(), target.addresses().isPresent() ? target.keyPath() + ".addresses" : where.keyPath(),
                    "the members of " + target.label() + written + " are " + next.members().stream().map(Ipv4::format)
                            .collect(Collectors.joining(", ")) + " here, " + members + " in the running router; "
                            + cannot("change the reachability set") + ", or list the running members under addresses",
                    "addresses: [" + members + "]");
        }
    }

    // ---- the comparisons ------------------------------------------------------------------------------

    /** {@code next} must still be {@code runningValue}: else a problem at its key, with the running value to copy. */
    private <T> void same(Located<T> next, T runningValue, Function<? super T, String> text) {
        same(next, runningValue, text, "a reload cannot change it");
    }

    private <T> void same(Located<T> next, T runningValue, Function<? super T, String> text, String cannot) {
        if (Objects.equals(next.value(), runningValue)) {
            return;
        }
        String path = next.keyPath();
        String key = path.substring(path.lastIndexOf('.') + 1);
        problems.add(next.at(), path, text.apply(next.value()) + ConfigChecks.defaultNote(next) + " here, "
                + text.apply(runningValue) + " in the running router; " + cannot + ": " + RESTART + ", or set it back",
                key + ": " + text.apply(runningValue));
    }

    /**
     * An optional section ({@code high-availability}, {@code reachability}, ...): there in both files, compared key by
     * key; there in one only, a problem at the section (or at the top of the file, where it is left out).
     */
    private <D, S> void section(String key, Optional<D> next, Optional<S> settings, Function<S, String> describe,
                                BiConsumer<D, S> compare) {
        if (next.isPresent() && settings.isPresent()) {
            compare.accept(next.get(), settings.get());
        } else if (next.isPresent()) {
            problems.add(sectionAt(key), key, "is here, and the running router has none; " + cannot("add it")
                    + ", or leave it out", "");
        } else if (settings.isPresent()) {
            problems.add(SourcePosition.of(root), key, "is left out here, and the running router has one ("
                    + describe.apply(settings.get()) + "); " + cannot("remove it") + ", or put it back", "");
        }
    }

    /** The entries of a list that a reload cannot change, with how to find each one's name and key path. */
    private record Entries<D>(String what, String listPath, SourcePosition listAt, List<D> items,
                              Function<D, Located<String>> name, Function<D, String> keyPath) {
    }

    /**
     * A list a reload cannot change (interfaces, peers, reachability elements), matched by name: an entry added, one
     * left out, and the order of the others are problems; an entry in both is compared by {@code compare}.
     */
    private <D, S> void sameEntries(Entries<D> next, List<S> settings, Function<S, String> name, Function<S, String> example,
                                    BiConsumer<D, S> compare) {
        Map<String, S> byName = new LinkedHashMap<>();
        settings.forEach(entry -> byName.put(name.apply(entry), entry));
        List<String> nextNames = new ArrayList<>();
        for (D entry : next.items()) {
            Located<String> entryName = next.name().apply(entry);
            nextNames.add(entryName.value());
            S old = byName.get(entryName.value());
            if (old == null) {
                problems.add(entryName.at(), next.keyPath().apply(entry), next.what() + " '" + entryName.value() + "' is here,"
                        + " and the running router has no " + next.what() + " of that name; " + cannot("add one")
                        + ", or leave it out", "");
            } else {
                compare.accept(entry, old);
            }
        }
        for (S old : settings) {
            if (!nextNames.contains(name.apply(old))) {
                problems.add(next.listAt(), next.listPath(), "the running router's " + next.what() + " '" + name.apply(old)
                        + "' is left out here; " + cannot("remove one") + ", or put it back", example.apply(old));
            }
        }
        firstMovedForward(nextNames, byName.keySet()).ifPresent(moved -> {
            D entry = next.items().get(nextNames.indexOf(moved.getKey()));
            problems.add(next.name().apply(entry).at(), next.keyPath().apply(entry), next.what() + " '" + moved.getKey()
                    + "' comes before '" + moved.getValue() + "' here and after it in the running router; "
                    + cannot("reorder them") + ", or keep the running order", "");
        });
    }

    /**
     * Of the keys in both orders, the first that {@code next} puts earlier than {@code running} does, with the key it
     * now comes before; empty when the keys in both come in the same order.
     */
    private static <K> Optional<Map.Entry<K, K>> firstMovedForward(Collection<K> next, Collection<K> running) {
        List<K> nextOrder = ConfigChanges.inBoth(next, running);
        List<K> runningOrder = ConfigChanges.inBoth(running, next);
        for (int i = 0; i < nextOrder.size(); i++) {
            if (!nextOrder.get(i).equals(runningOrder.get(i))) {
                return Optional.of(Map.entry(nextOrder.get(i), runningOrder.get(i)));
            }
        }
        return Optional.empty();
    }

    private static String cannot(String what) {
        return "a reload cannot " + what + ": " + RESTART;
    }

    /**
     * An optional key of a reachability element as the router runs it: where it is written, or (left out) the
     * element's mapping, marked defaulted.
     */
    private static <T> Located<T> written(ConfigDraft.Target target, Optional<? extends Located<?>> key, String name, T value) {
        return key.<Located<T>>map(written -> new Located<>(value, written.at(), written.keyPath()))
                .orElseGet(() -> Located.ofDefault(value, target.at(), target.keyPath() + "." + name));
    }

    /**
     * Where the value of top-level {@code key} starts (the loader's problems point at values); where the top-level
     * mapping starts when it is left out.
     */
    private SourcePosition sectionAt(String key) {
        if (root instanceof MappingNode mapping) {
            for (NodeTuple entry : mapping.getValue()) {
                if (entry.getKeyNode() instanceof ScalarNode name && name.getValue().equals(key)) {
                    return SourcePosition.of(entry.getValueNode());
                }
            }
        }
        return SourcePosition.of(root);
    }

    private static String linkText(PeerLinkSettings link) {
        return "{ local: " + Ipv4.format(link.localAddress()) + ", peer: " + Ipv4.format(link.peerAddress()) + " }";
    }

    private static String addressOrNone(Integer address) {
        return address == 0 ? "none" : Ipv4.format(address);
    }

    private static String describe(HighAvailabilitySettings settings) {
        return "router-number " + settings.routerNumber() + ", peers " + settings.peers().stream().map(PeerSettings::name)
                .collect(Collectors.joining(", "));
    }

    private static String describe(ReachabilitySettings settings) {
        return settings.targets().size() + " element" + (settings.targets().size() == 1 ? "" : "s") + ": "
                + settings.targets().stream().map(ReachabilitySettings.Target::name).collect(Collectors.joining(", "));
    }
}
