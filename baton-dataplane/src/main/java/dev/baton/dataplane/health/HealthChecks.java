package dev.baton.dataplane.health;

import dev.baton.agent.Agent;
import dev.baton.codec.Ipv4;
import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigDefaults;
import dev.baton.config.HealthCheckSettings;
import dev.baton.config.InterfaceConfig;
import dev.baton.config.ReachabilitySettings;
import dev.baton.config.ServiceConfig;
import dev.baton.dataplane.service.ServerHealthBoard;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.probe.Health;
import dev.baton.probe.HealthChangeHandler;
import dev.baton.probe.ProbeEngine;
import dev.baton.probe.ProbeSpec;
import dev.baton.probe.ProbeTarget;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every probe of a router: each service's health check against each of its servers, and each host element of
 * the reachability set (RM 230), run by one {@link ProbeEngine} on this agent's thread. A server's verdict goes on
 * the {@link ServerHealthBoard} (this thread is its only health writer); an element's goes to the {@link Feed},
 * and so does a service element's, reachable while at least {@code min-up} of the service's servers are up, and a
 * subnet element's (the patent's "hosts or subnets", claims 1 and 13), reachable while at least {@code min-up} of its
 * members answer their probe.
 *
 * <p>A subnet element probes each member with the element's probe, interval, timeout, rise and fall. A member whose
 * probe is exactly one the router already runs (a server's health check, a host element, another subnet element's
 * member: same kind, address, port, source and timing) shares that probe instead of sending a second.
 *
 * <p>Probes leave from the router's own address on the segment of the host probed (servers are always on one); a
 * host on no attached segment is probed from the first client-facing interface's address, beyond which the
 * previous hop routes it.
 */
public final class HealthChecks implements Agent {

    /** Where an element of the reachability set learns its health (the HA agent's thread takes it from there). */
    @FunctionalInterface
    public interface Feed {
        void element(int index, Health health, String cause);

        /** No reachability manager: element verdicts go nowhere. */
        Feed NONE = (index, health, cause) -> {
        };
    }

    private static final int NONE = -1;

    private final ServiceMap services;
    private final ServerHealthBoard board;
    private final Feed feed;
    private final ProbeEngine engine;
    /** Per engine target id: the server id it checks, or {@link #NONE}; and which of the server's addresses. */
    private final int[] serverOfTarget;
    private final int[] addressOfTarget;
    /** Per engine target id: the reachability element it probes, or {@link #NONE}. */
    private final int[] elementOfTarget;
    /** Per server id: the engine target of each of its addresses (configured first, then alternates), or null. */
    private final int[][] targetsOfServer;
    /** Per server id: whether its service has a health check (then its verdict goes on the board). */
    private final boolean[] checked;
    /**
     * Per engine target id: the subnet elements it is a member of, or null. One target may be a member of several,
     * and also a server's address or a host element (a shared probe).
     */
    private final int[][] subnetElementsOfTarget;
    /** Per engine target id: its health as last drained from the engine (what a subnet element counts). */
    private final Health[] healthOfTarget;
    /**
     * Per reachability element: a subnet element's subnet, and its members as engine targets and as addresses; null
     * for the other elements.
     */
    private final String[] subnetOfElement;
    private final int[][] memberTargets;
    private final int[][] memberAddresses;
    /** The engine's count of dropped changes when this agent last looked: a new drop makes it re-read every member. */
    private long changesDroppedSeen;
    /**
     * Per reachability element: the service whose servers make it, or {@link #NONE}; how many servers or
     * members must be up.
     */
    private final int[] serviceOfElement;
    private final int[] minUpOfElement;
    private final Health[] elementHealth;
    /** Per reachability element: its name, probe kind, and its last change's time and cause (for ctl reachability). */
    private final String[] elementName;
    private final String[] elementProbe;
    private final long[] elementChangedAtMs;
    private final String[] elementCause;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final HealthChangeHandler changes = this::onChange;
    private long changesApplied;
    /** What the probes of the configuration before the last reload had counted ({@link #registerCounters}). */
    private final long[] counterBase = new long[PROBE_COUNTERS];
    private long substitutions;

    /**
     * @param config   the router's configuration (health checks, reachability set, interfaces)
     * @param services the services as the workers index them
     * @param board    where server verdicts go
     * @param feed     where element verdicts go
     * @param nowMs    the time the probes are scheduled from
     */
    public HealthChecks(BatonConfig config, ServiceMap services, ServerHealthBoard board, Feed feed, long nowMs) {
        this.services = services;
        this.board = board;
        this.feed = feed;
        List<ReachabilitySettings.Target> elements = config.reachability().map(ReachabilitySettings::targets).orElse(List.of());
        int addresses = 0;
        for (int serverId = 0; serverId < services.totalServers(); serverId++) {
            addresses += services.addressCount(serverId);
        }
        int members = 0;
        for (ReachabilitySettings.Target element : elements) {
            members += element.members().size();
        }
        int capacity = Math.max(1, addresses + elements.size() + members);
        this.engine = new ProbeEngine("baton-probes", capacity);
        // Servers and on-link elements are probed through the rings of the interface they are on, not through
        // kernel sockets (docs/benchmarks.md, "Probes": a quarter of the CPU).
        for (InterfaceConfig itf : config.interfaces()) {
            engine.addLink(itf.name(), inet(itf.address().address()), itf.address().prefixLength());
        }
        this.serverOfTarget = new int[capacity];
        this.addressOfTarget = new int[capacity];
        this.elementOfTarget = new int[capacity];
        this.subnetElementsOfTarget = new int[capacity][];
        this.healthOfTarget = new Health[capacity];
        Arrays.fill(serverOfTarget, NONE);
        Arrays.fill(elementOfTarget, NONE);
        Arrays.fill(healthOfTarget, Health.UNKNOWN);
        this.targetsOfServer = new int[services.totalServers()][];
        this.checked = new boolean[services.totalServers()];
        this.serviceOfElement = new int[elements.size()];
        this.minUpOfElement = new int[elements.size()];
        this.subnetOfElement = new String[elements.size()];
        this.memberTargets = new int[elements.size()][];
        this.memberAddresses = new int[elements.size()][];
        this.elementHealth = new Health[elements.size()];
        Arrays.fill(serviceOfElement, NONE);
        Arrays.fill(elementHealth, Health.UNKNOWN);
        this.elementName = new String[elements.size()];
        this.elementProbe = new String[elements.size()];
        this.elementChangedAtMs = new long[elements.size()];
        this.elementCause = new String[elements.size()];
        Arrays.fill(elementChangedAtMs, Long.MIN_VALUE);
        Arrays.fill(elementCause, "no probe result yet");
        // Every probe added so far by what it sends and when: a subnet member equal to one of them shares it.
        Map<SameProbe, Integer> probes = new HashMap<>();

        for (int s = 0; s < services.serviceCount(); s++) {
            ServiceConfig service = config.service(services.name(s)).orElseThrow();
            HealthCheckSettings check = service.healthCheck();
            // Not the departing servers a reload left for their connections alone: they take no new ones, whatever a check says.
            for (int i = 0; i < services.configuredServerCount(s); i++) {
                int serverId = services.serverId(s, i);
                int count = services.addressCount(serverId);
                // A server is probed when its service checks servers, and at each of its addresses when it has
                // alternates: without a check, by ICMP echo, as the patent finds alternates reachable.
                if (!check.enabled() && count == 1) {
                    continue;
                }
                checked[serverId] = check.enabled();
                targetsOfServer[serverId] = new int[count];
                for (int a = 0; a < count; a++) {
                    int address = services.serverAddress(serverId, a);
                    ProbeSpec spec = check.enabled()
                            ? new ProbeSpec(service.name() + "/" + Ipv4.format(address), serverTarget(config, service, check, address),
                                    check.interval().toMillis(), check.timeout().toMillis(), check.rise(), check.fall())
                            : new ProbeSpec(service.name() + "/" + Ipv4.format(address), new ProbeTarget.IcmpEcho(inet(address),
                                    inet(config.serverInterfaceFor(address).orElseThrow().address().address())),
                                    ConfigDefaults.REACHABILITY_INTERVAL.toMillis(), ConfigDefaults.REACHABILITY_TIMEOUT.toMillis(),
                                    ConfigDefaults.REACHABILITY_RISE, ConfigDefaults.REACHABILITY_FALL);
                    int target = engine.add(spec, nowMs);
                    probes.putIfAbsent(SameProbe.of(spec), target);
                    serverOfTarget[target] = serverId;
                    addressOfTarget[target] = a;
                    targetsOfServer[serverId][a] = target;
                }
            }
        }
        for (int e = 0; e < elements.size(); e++) {
            ReachabilitySettings.Target element = elements.get(e);
            elementName[e] = element.name();
            elementProbe[e] = element.probe().configName();
            if (element.probe() == ReachabilitySettings.Probe.SERVICE) {
                serviceOfElement[e] = serviceIndex(services, element.service());
                minUpOfElement[e] = element.minUp();
                continue;
            }
            if (element.ofSubnet()) {
                addSubnetElement(config, e, element, probes, nowMs);
                continue;
            }
            ProbeSpec spec = new ProbeSpec("reachability/" + element.name(), hostTarget(config, element.probe(),
                    element.address(), element.port()), element.interval().toMillis(), element.timeout().toMillis(),
                    element.rise(), element.fall());
            int target = engine.add(spec, nowMs);
            probes.putIfAbsent(SameProbe.of(spec), target);
            elementOfTarget[target] = e;
        }
    }

    /** What makes two probes the same: a member whose probe equals one already running shares it. */
    private record SameProbe(ProbeTarget target, long intervalMs, long timeoutMs, int rise, int fall) {
        static SameProbe of(ProbeSpec spec) {
            return new SameProbe(spec.target(), spec.intervalMs(), spec.timeoutMs(), spec.rise(), spec.fall());
        }
    }

    /** Subnet element {@code e}: one probe per member, each with the element's probe and timing, unless one runs already. */
    private void addSubnetElement(BatonConfig config, int e, ReachabilitySettings.Target element,
                                  Map<SameProbe, Integer> probes, long nowMs) {
        List<Integer> members = element.members();
        minUpOfElement[e] = element.minUp();
        subnetOfElement[e] = element.subnet().subnetText();
        memberTargets[e] = new int[members.size()];
        memberAddresses[e] = new int[members.size()];
        for (int m = 0; m < members.size(); m++) {
            int address = members.get(m);
            ProbeSpec spec = new ProbeSpec("reachability/" + element.name() + "/" + Ipv4.format(address),
                    hostTarget(config, element.probe(), address, element.port()), element.interval().toMillis(),
                    element.timeout().toMillis(), element.rise(), element.fall());
            SameProbe same = SameProbe.of(spec);
            Integer running = probes.get(same);
            int target = running != null ? running : engine.add(spec, nowMs);
            probes.putIfAbsent(same, target);
            memberTargets[e][m] = target;
            memberAddresses[e][m] = address;
            int[] of = subnetElementsOfTarget[target];
            of = of == null ? new int[1] : Arrays.copyOf(of, of.length + 1);
            of[of.length - 1] = e;
            subnetElementsOfTarget[target] = of;
        }
    }

    private static int serviceIndex(ServiceMap services, String name) {
        for (int s = 0; s < services.serviceCount(); s++) {
            if (services.name(s).equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no service '" + name + "'"); // the loader checked it
    }

    private static ProbeTarget serverTarget(BatonConfig config, ServiceConfig service, HealthCheckSettings check, int address) {
        InetAddress server = inet(address);
        InetAddress source = inet(config.serverInterfaceFor(address).orElseThrow().address().address());
        int port = check.portFor(service);
        return switch (check.kind()) {
            case TCP -> new ProbeTarget.Tcp(server, port, source);
            case HTTP -> new ProbeTarget.Http(server, port, source, check.path(),
                    check.host() != null ? check.host() : Ipv4.format(address), check.expectStatus(), check.expectBody());
            case HTTPS -> new ProbeTarget.Https(server, port, source, check.path(),
                    check.host() != null ? check.host() : Ipv4.format(address), check.expectStatus(), check.expectBody(),
                    check.tlsVerify());
            case NONE -> throw new IllegalStateException("a service without a check has no probe");
        };
    }

    /** The probe of a host element, or of a subnet element's member {@code address}. */
    private static ProbeTarget hostTarget(BatonConfig config, ReachabilitySettings.Probe probe, int address, int port) {
        InetAddress host = inet(address);
        InterfaceConfig onLink = null;
        for (InterfaceConfig itf : config.interfaces()) {
            if (itf.address().contains(address)) {
                onLink = itf;
                break;
            }
        }
        InterfaceConfig from = onLink != null ? onLink : config.clientInterfaces().getFirst();
        InetAddress source = inet(from.address().address());
        return switch (probe) {
            case ARP -> new ProbeTarget.Arp(host, from.name(), source);
            case ICMP -> new ProbeTarget.IcmpEcho(host, source);
            case TCP -> new ProbeTarget.Tcp(host, port, source);
            case SERVICE -> throw new IllegalStateException("a service element has no probe of its own");
        };
    }

    private static InetAddress inet(int address) {
        try {
            return InetAddress.getByAddress(new byte[] {
                    (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address});
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    @Override
    public String roleName() {
        return "baton-probes";
    }

    /**
     * How long the probe thread may park after a cycle with nothing to do: the engine's {@link ProbeEngine#idleMs()}
     * (a quarter of the shortest timeout, at most 20 ms), so that it wakes rarely and starts the probes due
     * together. This agent's thread.
     */
    public long idleNanos() {
        return engine.idleMs() * 1_000_000L;
    }

    @Override
    public int doWork(long nowMs) {
        int work = 0;
        Runnable command;
        while ((command = commands.poll()) != null) {
            command.run();
            work++;
        }
        work += engine.doWork(nowMs);
        work += engine.drainChanges(changes);
        if (engine.changesDropped() != changesDroppedSeen) {
            changesDroppedSeen = engine.changesDropped();
            rereadMembers(nowMs);
        }
        return work;
    }

    /**
     * One target's health changed (the engine's change handler; tests call it to hand a verdict over without a
     * network). A target may be a server's address, a host element and a member of subnet elements at once.
     */
    void onChange(int targetId, ProbeSpec spec, Health health, long atMs, String cause) {
        changesApplied++;
        healthOfTarget[targetId] = health;
        int serverId = serverOfTarget[targetId];
        if (serverId != NONE) {
            onServerAddress(serverId);
            serviceElementsOf(services.serviceOfServer(serverId), cause, atMs);
        }
        int[] subnets = subnetElementsOfTarget[targetId];
        for (int i = 0; subnets != null && i < subnets.length; i++) {
            subnetElement(subnets[i], targetId, cause, atMs);
        }
        int element = elementOfTarget[targetId];
        if (element != NONE) {
            elementHealth[element] = health;
            elementChangedAtMs[element] = atMs;
            elementCause[element] = cause;
            feed.element(element, health, cause);
        }
    }

    /**
     * One of the server's addresses changed health. The server is reached at the first of its addresses that
     * answers, the configured one first (address substitution, RM 230: an alternate only while the configured
     * one does not answer, and only once it is known not to: before its first result the configured one is used);
     * at the configured one when none does. With a health check, the server is up while any of its addresses is,
     * down when all are, unknown until then.
     */
    private void onServerAddress(int serverId) {
        int[] targets = targetsOfServer[serverId];
        boolean anyUp = false;
        int down = 0;
        // Address substitution (RM 230): the first address that answers, but only past addresses known not to: while
        // an earlier one (the configured address first) has no result yet, as at start-up, it is still the one used.
        int reachedAt = NONE;
        boolean earlierUndecided = false;
        for (int a = 0; a < targets.length; a++) {
            Health health = healthOfTarget[targets[a]];
            anyUp |= health == Health.UP;
            down += health == Health.DOWN ? 1 : 0;
            if (reachedAt == NONE && !earlierUndecided && health == Health.UP) {
                reachedAt = a;
            }
            earlierUndecided |= health == Health.UNKNOWN;
        }
        reachedAt = reachedAt == NONE ? 0 : reachedAt;
        if (board.addressChoice(serverId) != reachedAt) {
            board.addressChoice(serverId, reachedAt);
            substitutions++;
        }
        if (checked[serverId]) {
            board.health(serverId, anyUp ? ServerHealthBoard.UP
                    : down == targets.length ? ServerHealthBoard.DOWN : ServerHealthBoard.UNKNOWN);
        }
    }

    /** Re-derives every service element of service {@code service} from its servers' health. */
    private void serviceElementsOf(int service, String cause, long atMs) {
        for (int e = 0; e < serviceOfElement.length; e++) {
            if (serviceOfElement[e] != service) {
                continue;
            }
            int up = 0;
            int down = 0;
            for (int i = 0; i < services.primaryServerCount(service); i++) {
                byte health = board.health(services.serverId(service, i));
                up += health == ServerHealthBoard.UP ? 1 : 0;
                down += health == ServerHealthBoard.DOWN ? 1 : 0;
            }
            int servers = services.primaryServerCount(service);
            Health now = ofMembers(up, down, servers, minUpOfElement[e]);
            if (now != elementHealth[e]) {
                elementHealth[e] = now;
                elementChangedAtMs[e] = atMs;
                elementCause[e] = up + " of " + servers + " servers up (min-up " + minUpOfElement[e] + "; last: " + cause + ")";
                feed.element(e, now, elementCause[e]);
            }
        }
    }

    /**
     * The health of an element made of members (a service's servers, a subnet's hosts): up once {@code minUp} of
     * them are, down once too few could still come up, unknown while it depends on members without a result yet.
     */
    static Health ofMembers(int up, int down, int members, int minUp) {
        return up >= minUp ? Health.UP : members - down < minUp ? Health.DOWN : Health.UNKNOWN;
    }

    /** Re-derives subnet element {@code e} from its members' health; {@code targetId} is the member that changed. */
    private void subnetElement(int e, int targetId, String cause, long atMs) {
        int[] targets = memberTargets[e];
        int up = 0;
        int down = 0;
        String changed = "";
        for (int m = 0; m < targets.length; m++) {
            Health health = healthOfTarget[targets[m]];
            up += health == Health.UP ? 1 : 0;
            down += health == Health.DOWN ? 1 : 0;
            changed = targets[m] == targetId ? Ipv4.format(memberAddresses[e][m]) + " " : changed;
        }
        Health now = ofMembers(up, down, targets.length, minUpOfElement[e]);
        if (now != elementHealth[e]) {
            elementHealth[e] = now;
            elementChangedAtMs[e] = atMs;
            elementCause[e] = up + " of " + targets.length + " members up (min-up " + minUpOfElement[e]
                    + (down > 0 ? "; down: " + String.join(", ", membersDown(e)) : "") + "; last: " + changed + cause + ")";
            feed.element(e, now, elementCause[e]);
        }
    }

    /** The addresses of subnet element {@code e}'s members that are down now. */
    private List<String> membersDown(int e) {
        List<String> down = new ArrayList<>();
        for (int m = 0; m < memberTargets[e].length; m++) {
            if (healthOfTarget[memberTargets[e][m]] == Health.DOWN) {
                down.add(Ipv4.format(memberAddresses[e][m]));
            }
        }
        return down;
    }

    /**
     * The engine dropped health changes from its full ring (none expected): any target's last change may be among
     * them, so every target's health is read from the engine again, and every server, service element, subnet
     * element and host element re-derived from it.
     */
    private void rereadMembers(long nowMs) {
        for (int target = 0; target < healthOfTarget.length; target++) {
            if (engine.has(target)) {
                healthOfTarget[target] = engine.health(target);
            }
        }
        String cause = "(health changes were lost from a full ring; read again)";
        for (int serverId = 0; serverId < targetsOfServer.length; serverId++) {
            if (targetsOfServer[serverId] != null) {
                onServerAddress(serverId);
            }
        }
        for (int s = 0; s < services.serviceCount(); s++) {
            serviceElementsOf(s, cause, nowMs);
        }
        for (int e = 0; e < memberTargets.length; e++) {
            if (memberTargets[e] != null) {
                subnetElement(e, NONE, cause, nowMs);
            }
        }
        for (int target = 0; target < healthOfTarget.length; target++) {
            int element = elementOfTarget[target];
            if (element != NONE && elementHealth[element] != healthOfTarget[target]) {
                elementHealth[element] = healthOfTarget[target];
                elementChangedAtMs[element] = nowMs;
                elementCause[element] = cause;
                feed.element(element, healthOfTarget[target], cause);
            }
        }
    }

    /** Runs {@code command} on this agent's thread at its next cycle (a status read, say). */
    public void post(Runnable command) {
        commands.add(command);
    }

    /**
     * The probes' counters in the router's registry ({@code ctl counters}), read on this agent's thread through
     * {@code owner}: probes started, answered, failed and timed out, health changes dropped from a full ring, and
     * the ICMP and ARP frames that were not an answer (or not even well formed).
     */
    public dev.baton.agent.CounterRegistry.Group registerCounters(dev.baton.agent.CounterRegistry registry,
                                                                 dev.baton.agent.CounterRegistry.Owner owner) {
        return registerCounters(registry, owner, new long[PROBE_COUNTERS]);
    }

    /** How many counters {@link #registerCounters} describes. */
    public static final int PROBE_COUNTERS = 10;

    /**
     * As above, each counter going on from {@code carried} (the values the probes of the configuration before a reload
     * had counted, {@link #counterValues}), so that Prometheus sees them count up across the reload.
     */
    public dev.baton.agent.CounterRegistry.Group registerCounters(dev.baton.agent.CounterRegistry registry,
                                                                 dev.baton.agent.CounterRegistry.Owner owner, long[] carried) {
        System.arraycopy(carried, 0, counterBase, 0, PROBE_COUNTERS);
        dev.baton.agent.CounterRegistry.Group group = registry.group("the probes", owner);
        var counter = dev.baton.agent.CounterRegistry.Type.COUNTER;
        group.add("probes_started", counter, "health-check and reachability probes sent");
        group.add("probe_answers", counter, "probes answered as expected");
        group.add("probe_failures", counter, "probes failed (refused, wrong status, body, timed out)");
        group.add("probe_timeouts", counter, "probes not answered within their timeout");
        group.add("probe_changes_dropped", counter, "health changes lost from a full change ring (none expected)");
        group.add("probe_icmp_ignored", counter, "ICMP messages on the probe socket that answered no probe");
        group.add("probe_arp_ignored", counter, "ARP frames on the probe socket that answered no probe");
        group.add("probe_arp_malformed", counter, "malformed ARP frames on the probe socket");
        group.add("probe_ring_ignored", counter, "frames in the probe rings that answered no probe");
        group.add("probe_ring_full", counter, "probe frames not sent: an interface's probe TX ring stayed full");
        group.reader(values -> System.arraycopy(counterValues(), 0, values, 0, PROBE_COUNTERS));
        return group;
    }

    /** The probe counters in {@link #registerCounters}'s order, the carried ones added. This agent's thread. */
    public long[] counterValues() {
        long[] values = {engine.probesStarted(), engine.answers(), engine.failures(), engine.timeouts(), engine.changesDropped(),
                engine.icmpIgnored(), engine.arpIgnored(), engine.arpMalformed(), engine.ringIgnored(), engine.ringFull()};
        for (int i = 0; i < PROBE_COUNTERS; i++) {
            values[i] += counterBase[i];
        }
        return values;
    }

    /**
     * Each server's check and each probed element as {@code ctl} shows them. This agent's thread only (through
     * {@link #post}, or before the thread starts).
     */
    public Map<String, Object> status() {
        Map<String, Object> root = new LinkedHashMap<>();
        List<Object> servers = new ArrayList<>();
        for (int serverId = 0; serverId < targetsOfServer.length; serverId++) {
            if (targetsOfServer[serverId] == null) {
                continue;
            }
            for (int a = 0; a < targetsOfServer[serverId].length; a++) {
                Map<String, Object> row = row(targetsOfServer[serverId][a]);
                row.put("service", services.name(services.serviceOfServer(serverId)));
                row.put("server", Ipv4.format(services.serverAddress(serverId)));
                row.put("address", Ipv4.format(services.serverAddress(serverId, a)));
                row.put("reached_here", board.addressChoice(serverId) == a);
                servers.add(row);
            }
        }
        root.put("servers", servers);
        List<Object> elements = new ArrayList<>();
        for (int target = 0; target < elementOfTarget.length; target++) {
            // A host element's probe, and a subnet member's unless it is a server's check (a server row shows it).
            boolean member = subnetElementsOfTarget[target] != null && serverOfTarget[target] == NONE;
            if ((elementOfTarget[target] != NONE || member) && engine.has(target)) {
                Map<String, Object> row = row(target);
                row.put("element", elementOfTarget[target] != NONE ? elementOfTarget[target]
                        : subnetElementsOfTarget[target][0]);
                elements.add(row);
            }
        }
        root.put("elements", elements);
        List<Object> set = new ArrayList<>();
        for (int e = 0; e < elementName.length; e++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", elementName[e]);
            row.put("probe", elementProbe[e]);
            row.put("health", elementHealth[e].word());
            row.put("changed_at_ms", elementChangedAtMs[e] == Long.MIN_VALUE ? null : elementChangedAtMs[e]);
            row.put("cause", elementCause[e]);
            if (memberTargets[e] != null) {
                int up = 0;
                for (int target : memberTargets[e]) {
                    up += healthOfTarget[target] == Health.UP ? 1 : 0;
                }
                row.put("subnet", subnetOfElement[e]);
                row.put("members", memberTargets[e].length);
                row.put("members_up", up);
                row.put("min_up", minUpOfElement[e]);
                row.put("members_down", membersDown(e));
            }
            set.add(row);
        }
        root.put("reachability_set", set);
        root.put("probes_started", engine.probesStarted());
        long inFlight = 0;
        for (int target = 0; target < serverOfTarget.length; target++) {
            inFlight += engine.has(target) && engine.inFlight(target) ? 1 : 0;
        }
        root.put("in_flight", inFlight);
        root.put("timeouts", engine.timeouts());
        root.put("changes_applied", changesApplied);
        root.put("address_substitutions", substitutions);
        root.put("changes_dropped", engine.changesDropped());
        return root;
    }

    private Map<String, Object> row(int target) {
        Map<String, Object> row = new LinkedHashMap<>();
        ProbeSpec spec = engine.spec(target);
        row.put("name", spec.name());
        row.put("probe", spec.target().kindWord());
        row.put("health", engine.health(target).word());
        row.put("cause", engine.cause(target));
        row.put("changed_at_ms", engine.changedAtMs(target));
        row.put("last_round_trip_ms", engine.lastRoundTripMs(target));
        return row;
    }

    /** The engine (tests; this agent's thread). */
    ProbeEngine engine() {
        return engine;
    }

    /** The health of reachability element {@code index} as last fed. */
    public Health elementHealth(int index) {
        return elementHealth[index];
    }

    @Override
    public void onClose() {
        engine.onClose();
    }
}
