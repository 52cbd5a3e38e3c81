package dev.baton.config;

import static dev.baton.config.ConfigSchema.*;
import static dev.baton.config.KeyParsers.*;

import dev.baton.config.KeyParsers.ValueParser;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads the composed YAML tree into a {@link ConfigDraft}: checks the shape (mappings, lists, keys), parses
 * and range-checks every single value and applies the defaults. A problem is reported and reading goes
 * on, so one pass finds every problem of this kind. Checks that relate several values are
 * {@link ConfigChecks}'.
 */
final class ConfigReader {

    private final ProblemCollector problems;
    private final String hostname;

    /**
     * @param hostname this machine's host name: the router id when the file gives none
     */
    ConfigReader(ProblemCollector problems, String hostname) {
        this.problems = problems;
        this.hostname = hostname;
    }

    /** Reads the document; empty when it is not a mapping at all (reported). */
    Optional<ConfigDraft> read(Node root) {
        Optional<YamlMapping> maybeTop = YamlMapping.read(root, "", ROOT_KEYS, problems, DOCUMENT_EXAMPLE);
        if (maybeTop.isEmpty()) {
            return Optional.empty();
        }
        YamlMapping top = maybeTop.get();
        ConfigDraft.Router router = readRouter(section(top, ROUTER, ROUTER_KEYS));

        List<ConfigDraft.Interface> interfaces = new ArrayList<>();
        Optional<SequenceNode> interfaceList = list(top, INTERFACES, "interface");
        boolean interfacesComplete = interfaceList.isPresent();
        for (Item item : items(interfaceList, INTERFACES.name(), INTERFACE_KEYS, INTERFACE_ITEM_EXAMPLE)) {
            if (item.mapping == null) {
                interfacesComplete = false;
                continue;
            }
            ConfigDraft.Interface entry = readInterface(item.mapping);
            interfacesComplete &= entry.role().valid() && entry.address().valid();
            interfaces.add(entry);
        }
        SourcePosition interfacesAt = interfaceList.map(SourcePosition::of).orElse(null);

        YamlMapping tableMapping = section(top, TABLE, TABLE_KEYS);
        ConfigDraft.Table table = readTable(tableMapping, section(tableMapping, TIMEOUTS, TIMEOUT_KEYS));
        ConfigDraft.Neighbours neighbours = readNeighbours(section(top, NEIGHBOURS, NEIGHBOUR_KEYS));

        List<ConfigDraft.Service> services = new ArrayList<>();
        for (Item item : items(list(top, SERVICES, "service"), SERVICES.name(), SERVICE_KEYS, SERVICE_ITEM_EXAMPLE)) {
            if (item.mapping != null) {
                services.add(readService(item.mapping));
            }
        }
        Optional<ConfigDraft.HighAvailability> highAvailability =
                optionalSection(top, HIGH_AVAILABILITY, HIGH_AVAILABILITY_KEYS).map(this::readHighAvailability);
        Optional<ConfigDraft.Reachability> reachability =
                optionalSection(top, REACHABILITY, REACHABILITY_KEYS).map(this::readReachability);
        Optional<ConfigDraft.Notify> notify = optionalSection(top, NOTIFY, NOTIFY_KEYS).map(this::readNotify);
        if (notify.isPresent() && top.value(HIGH_AVAILABILITY.name()) == null) {
            // Only the HA agent changes a VIP's state: alone, the router owns every VIP from start to stop, and a
            // script that is never run would look, to whoever configured it, like one that runs.
            problems.add(SourcePosition.of(top.value(NOTIFY.name())), NOTIFY.name(), "runs on high-availability state changes,"
                    + " and this router has no high-availability section (alone, it owns every VIP from start to stop)",
                    HIGH_AVAILABILITY.example());
        }
        Optional<ConfigDraft.Metrics> metrics = optionalSection(top, METRICS, METRICS_KEYS)
                .map(section -> new ConfigDraft.Metrics(value(section, METRICS_LISTEN, KeyParsers::listenAddress, null)));
        return Optional.of(new ConfigDraft(router, interfacesAt, interfaces, interfacesComplete, table, neighbours, services,
                highAvailability, reachability, notify, metrics));
    }

    private ConfigDraft.Router readRouter(YamlMapping router) {
        Located<String> id = router.value(ROUTER_ID.name()) != null
                ? value(router, ROUTER_ID, KeyParsers::routerId, null)
                : defaultRouterId(router);
        Located<Path> controlSocket = router.value(CONTROL_SOCKET.name()) == null && !id.valid()
                // No default without a valid id; the id's problem is already reported.
                ? Located.invalid(router.at(), router.pathOf(CONTROL_SOCKET.name()))
                : value(router, CONTROL_SOCKET, KeyParsers::controlSocket,
                        id.valid() ? ConfigDefaults.controlSocketFor(id.value()) : null);
        Located<Integer> workers = value(router, WORKERS,
                wholeNumber(ConfigLimits.MIN_WORKERS, ConfigLimits.MAX_WORKERS), ConfigDefaults.WORKERS);
        Located<RouterSettings.Datapath> datapath = value(router, DATAPATH,
                enumeration(RouterSettings.Datapath.values(), RouterSettings.Datapath::configName), ConfigDefaults.DATAPATH);
        Located<RouterSettings.XdpMode> xdpMode = value(router, XDP_MODE,
                enumeration(RouterSettings.XdpMode.values(), RouterSettings.XdpMode::configName), ConfigDefaults.XDP_MODE);

        YamlMapping ring = section(router, RING, RING_KEYS);
        Located<Integer> blockSize = value(ring, BLOCK_SIZE, KeyParsers::blockSize, ConfigDefaults.RING_BLOCK_SIZE_BYTES);
        Located<Integer> blockCount = value(ring, BLOCK_COUNT,
                wholeNumber(ConfigLimits.MIN_BLOCK_COUNT, ConfigLimits.MAX_BLOCK_COUNT), ConfigDefaults.RING_BLOCK_COUNT);
        Located<Duration> blockTimeout = value(ring, BLOCK_TIMEOUT,
                duration(Duration.ofMillis(ConfigLimits.MIN_BLOCK_TIMEOUT_MS), Duration.ofMillis(ConfigLimits.MAX_BLOCK_TIMEOUT_MS)),
                Duration.ofMillis(ConfigDefaults.RING_BLOCK_TIMEOUT_MS));
        Located<Integer> txFrameSize = value(ring, TX_FRAME_SIZE, KeyParsers::txFrameSize, ConfigDefaults.RING_TX_FRAME_SIZE_BYTES);
        Located<Integer> txFrameCount = value(ring, TX_FRAME_COUNT,
                wholeNumber(ConfigLimits.MIN_TX_FRAME_COUNT, ConfigLimits.MAX_TX_FRAME_COUNT), ConfigDefaults.RING_TX_FRAME_COUNT);
        Located<RingSettings.Version> version = value(ring, RING_VERSION,
                enumeration(RingSettings.Version.values(), RingSettings.Version::configName), ConfigDefaults.RING_VERSION);
        Located<Integer> rxFrameSize = value(ring, RX_FRAME_SIZE, KeyParsers::rxFrameSize, ConfigDefaults.RING_RX_FRAME_SIZE_BYTES);
        Located<Integer> rxFrameCount = value(ring, RX_FRAME_COUNT,
                wholeNumber(ConfigLimits.MIN_RX_FRAME_COUNT, ConfigLimits.MAX_RX_FRAME_COUNT), ConfigDefaults.RING_RX_FRAME_COUNT);
        return new ConfigDraft.Router(id, controlSocket, workers, datapath, xdpMode,
                new ConfigDraft.Ring(blockSize, blockCount, blockTimeout, txFrameSize, txFrameCount, version, rxFrameSize, rxFrameCount));
    }

    /** The host name as router id, reported at {@code router} when it cannot be one. */
    private Located<String> defaultRouterId(YamlMapping router) {
        String path = router.pathOf(ROUTER_ID.name());
        try {
            return Located.ofDefault(routerId(hostname), router.at(), path);
        } catch (IllegalArgumentException e) {
            problems.add(router.at(), path, "is not set, and the host name cannot be used instead: " + e.getMessage(), ROUTER_ID.example());
            return Located.invalid(router.at(), path);
        }
    }

    private ConfigDraft.Interface readInterface(YamlMapping entry) {
        return new ConfigDraft.Interface(entry.keyPath(),
                value(entry, INTERFACE_NAME, KeyParsers::interfaceName, null),
                value(entry, INTERFACE_ROLE, enumeration(InterfaceConfig.InterfaceRole.values(), InterfaceConfig.InterfaceRole::configName), null),
                value(entry, INTERFACE_ADDRESS, KeyParsers::interfaceAddress, null));
    }

    private ConfigDraft.Table readTable(YamlMapping table, YamlMapping timeouts) {
        ValueParser<Duration> timeout = duration(ConfigLimits.MIN_TABLE_TIMEOUT, ConfigLimits.MAX_TABLE_TIMEOUT);
        return new ConfigDraft.Table(
                value(table, CAPACITY, wholeNumber(ConfigLimits.MIN_TABLE_CAPACITY, ConfigLimits.MAX_TABLE_CAPACITY), ConfigDefaults.TABLE_CAPACITY),
                value(timeouts, TCP_SYN, timeout, ConfigDefaults.TCP_SYN_TIMEOUT),
                value(timeouts, TCP_ESTABLISHED, timeout, ConfigDefaults.TCP_ESTABLISHED_TIMEOUT),
                value(timeouts, TCP_CLOSING, timeout, ConfigDefaults.TCP_CLOSING_TIMEOUT),
                value(timeouts, TCP_CLOSED, timeout, ConfigDefaults.TCP_CLOSED_TIMEOUT),
                value(timeouts, UDP, timeout, ConfigDefaults.UDP_TIMEOUT),
                value(table, PER_SOURCE_LIMIT, wholeNumber(ConfigLimits.MIN_TABLE_PER_SOURCE_LIMIT,
                        ConfigLimits.MAX_TABLE_PER_SOURCE_LIMIT), ConfigDefaults.TABLE_PER_SOURCE_LIMIT));
    }

    private ConfigDraft.Neighbours readNeighbours(YamlMapping neighbours) {
        return new ConfigDraft.Neighbours(
                value(neighbours, REFRESH, duration(ConfigLimits.MIN_NEIGHBOUR_REFRESH, ConfigLimits.MAX_NEIGHBOUR_REFRESH),
                        ConfigDefaults.NEIGHBOUR_REFRESH),
                value(neighbours, RETRY, duration(ConfigLimits.MIN_NEIGHBOUR_RETRY, ConfigLimits.MAX_NEIGHBOUR_RETRY),
                        ConfigDefaults.NEIGHBOUR_RETRY),
                value(neighbours, STALE_AFTER, duration(ConfigLimits.MIN_NEIGHBOUR_STALE_AFTER, ConfigLimits.MAX_NEIGHBOUR_STALE_AFTER),
                        ConfigDefaults.NEIGHBOUR_STALE_AFTER));
    }

    private ConfigDraft.Service readService(YamlMapping service) {
        Located<String> name = value(service, SERVICE_NAME, KeyParsers::serviceName, null);
        Located<Integer> vip = value(service, VIP, text -> unicastAddress(text, "a VIP"), null);
        Located<ServiceConfig.Protocol> protocol = value(service, PROTOCOL,
                enumeration(ServiceConfig.Protocol.values(), ServiceConfig.Protocol::configName), ConfigDefaults.PROTOCOL);
        List<Located<ServiceConfig.PortRange>> ports = readPorts(service);
        Located<ServiceConfig.SchedulerKind> scheduler = value(service, SCHEDULER,
                enumeration(ServiceConfig.SchedulerKind.values(), ServiceConfig.SchedulerKind::configName), ConfigDefaults.SCHEDULER);
        Located<Duration> persistence = value(service, PERSISTENCE,
                duration(ConfigLimits.MIN_PERSISTENCE, ConfigLimits.MAX_PERSISTENCE), ConfigDefaults.PERSISTENCE);
        List<ConfigDraft.Server> servers = readServers(service, list(service, SERVERS, "server"), SERVERS);
        List<ConfigDraft.Server> fallback = service.value(FALLBACK.name()) == null ? List.of()
                : readServers(service, list(service, FALLBACK, "server"), FALLBACK);
        Located<ServiceConfig.ServiceRole> role = value(service, SERVICE_ROLE,
                enumeration(ServiceConfig.ServiceRole.values(), ServiceConfig.ServiceRole::configName), ConfigDefaults.SERVICE_ROLE);
        Located<Integer> priority = value(service, PRIORITY,
                wholeNumber(ConfigLimits.MIN_PRIORITY, ConfigLimits.MAX_PRIORITY), ConfigDefaults.PRIORITY);
        Located<ServiceConfig.Failback> failback = value(service, FAILBACK,
                enumeration(ServiceConfig.Failback.values(), ServiceConfig.Failback::configName), ConfigDefaults.FAILBACK);
        Optional<ConfigDraft.HealthCheck> healthCheck =
                optionalSection(service, HEALTH_CHECK, HEALTH_CHECK_KEYS).map(this::readHealthCheck);
        Located<ServiceConfig.OnServerDown> onServerDown = value(service, ON_SERVER_DOWN,
                enumeration(ServiceConfig.OnServerDown.values(), ServiceConfig.OnServerDown::configName), ConfigDefaults.ON_SERVER_DOWN);
        return new ConfigDraft.Service(service.keyPath(), name, vip, protocol, ports, scheduler, persistence, servers,
                role, priority, failback, healthCheck, onServerDown, fallback);
    }

    private List<ConfigDraft.Server> readServers(YamlMapping service, Optional<SequenceNode> list, ConfigSchema.Key key) {
        List<ConfigDraft.Server> servers = new ArrayList<>();
        for (Item item : items(list, service.pathOf(key.name()), SERVER_KEYS, SERVER_ITEM_EXAMPLE)) {
            if (item.mapping != null) {
                servers.add(new ConfigDraft.Server(item.mapping.keyPath(),
                        value(item.mapping, SERVER_ADDRESS, text -> unicastAddress(text, "a server"), null),
                        value(item.mapping, WEIGHT, wholeNumber(ConfigLimits.MIN_WEIGHT, ConfigLimits.MAX_WEIGHT), ConfigDefaults.WEIGHT),
                        scalars(item.mapping, ALTERNATES, "alternate address", text -> unicastAddress(text, "an alternate address"))));
            }
        }
        return servers;
    }

    /** A service's {@code health-check}: {@code type} is required; the rest have defaults. */
    private ConfigDraft.HealthCheck readHealthCheck(YamlMapping check) {
        return new ConfigDraft.HealthCheck(check.keyPath(), check.at(),
                value(check, CHECK_TYPE, enumeration(HealthCheckSettings.Kind.values(), HealthCheckSettings.Kind::configName), null),
                optionalValue(check, CHECK_PORT, wholeNumber(1, 65_535)),
                optionalValue(check, CHECK_PATH, KeyParsers::httpPath),
                optionalValue(check, CHECK_HOST, KeyParsers::httpHost),
                optionalValue(check, CHECK_EXPECT_STATUS, wholeNumber(ConfigLimits.MIN_HTTP_STATUS, ConfigLimits.MAX_HTTP_STATUS)),
                optionalValue(check, CHECK_EXPECT_BODY, KeyParsers::expectBody),
                value(check, PROBE_INTERVAL, duration(ConfigLimits.MIN_PROBE_INTERVAL, ConfigLimits.MAX_PROBE_INTERVAL),
                        ConfigDefaults.HEALTH_CHECK_INTERVAL),
                value(check, PROBE_TIMEOUT, duration(ConfigLimits.MIN_PROBE_TIMEOUT, ConfigLimits.MAX_PROBE_TIMEOUT),
                        ConfigDefaults.HEALTH_CHECK_TIMEOUT),
                value(check, RISE, wholeNumber(ConfigLimits.MIN_RISE_FALL, ConfigLimits.MAX_RISE_FALL), ConfigDefaults.HEALTH_CHECK_RISE),
                value(check, FALL, wholeNumber(ConfigLimits.MIN_RISE_FALL, ConfigLimits.MAX_RISE_FALL), ConfigDefaults.HEALTH_CHECK_FALL),
                optionalValue(check, CHECK_TLS_VERIFY, KeyParsers::bool));
    }

    /** The {@code reachability} section: the set this router must reach (RM 230) and how routers compare. */
    private ConfigDraft.Reachability readReachability(YamlMapping section) {
        Located<ReachabilitySettings.Compare> compare = value(section, COMPARE,
                enumeration(ReachabilitySettings.Compare.values(), ReachabilitySettings.Compare::configName),
                ConfigDefaults.REACHABILITY_COMPARE);
        Located<Long> minImprovement = value(section, MIN_IMPROVEMENT,
                longNumber(ConfigLimits.MIN_IMPROVEMENT, ConfigLimits.MAX_IMPROVEMENT), ConfigDefaults.REACHABILITY_MIN_IMPROVEMENT);
        Located<Duration> hold = value(section, HOLD,
                duration(ConfigLimits.MIN_REACHABILITY_HOLD, ConfigLimits.MAX_REACHABILITY_HOLD), ConfigDefaults.REACHABILITY_HOLD);
        Located<Duration> reportInterval = value(section, REPORT_INTERVAL,
                duration(ConfigLimits.MIN_REPORT_INTERVAL, ConfigLimits.MAX_REPORT_INTERVAL), ConfigDefaults.REACHABILITY_REPORT_INTERVAL);
        List<ConfigDraft.Target> targets = new ArrayList<>();
        for (Item item : items(list(section, TARGETS, "target"), section.pathOf(TARGETS.name()), TARGET_KEYS, TARGET_ITEM_EXAMPLE)) {
            if (item.mapping != null) {
                targets.add(readTarget(item.mapping));
            }
        }
        return new ConfigDraft.Reachability(section.keyPath(), compare, minImprovement, hold, reportInterval, targets);
    }

    private ConfigDraft.Target readTarget(YamlMapping target) {
        return new ConfigDraft.Target(target.keyPath(), target.at(),
                value(target, TARGET_NAME, KeyParsers::targetName, null),
                optionalValue(target, TARGET_ADDRESS, text -> unicastAddress(text, "a reachability target")),
                optionalValue(target, TARGET_SERVICE, KeyParsers::serviceName),
                value(target, TARGET_PROBE, enumeration(ReachabilitySettings.Probe.values(), ReachabilitySettings.Probe::configName),
                        ReachabilitySettings.Probe.ICMP),
                optionalValue(target, TARGET_PORT, wholeNumber(1, 65_535)),
                optionalValue(target, MIN_UP, wholeNumber(1, ConfigLimits.MAX_REACHABILITY_TARGETS)),
                value(target, PROBE_INTERVAL, duration(ConfigLimits.MIN_PROBE_INTERVAL, ConfigLimits.MAX_PROBE_INTERVAL),
                        ConfigDefaults.REACHABILITY_INTERVAL),
                value(target, PROBE_TIMEOUT, duration(ConfigLimits.MIN_PROBE_TIMEOUT, ConfigLimits.MAX_PROBE_TIMEOUT),
                        ConfigDefaults.REACHABILITY_TIMEOUT),
                value(target, RISE, wholeNumber(ConfigLimits.MIN_RISE_FALL, ConfigLimits.MAX_RISE_FALL), ConfigDefaults.REACHABILITY_RISE),
                value(target, FALL, wholeNumber(ConfigLimits.MIN_RISE_FALL, ConfigLimits.MAX_RISE_FALL), ConfigDefaults.REACHABILITY_FALL),
                value(target, TARGET_WEIGHT, wholeNumber(ConfigLimits.MIN_TARGET_WEIGHT, ConfigLimits.MAX_TARGET_WEIGHT),
                        ConfigDefaults.REACHABILITY_WEIGHT),
                value(target, REQUIRED, KeyParsers::bool, false),
                optionalValue(target, TARGET_SUBNET, KeyParsers::subnet),
                target.value(TARGET_ADDRESSES.name()) == null ? Optional.empty()
                        : Optional.of(allScalars(target, TARGET_ADDRESSES, "address", text -> unicastAddress(text, "a host probed"))));
    }

    /** The {@code notify} section: the script is checked now ({@link ScriptFile}), not at the first state change. */
    private ConfigDraft.Notify readNotify(YamlMapping notify) {
        return new ConfigDraft.Notify(value(notify, ON_STATE_CHANGE, ScriptFile::check, null),
                value(notify, NOTIFY_TIMEOUT, duration(ConfigLimits.MIN_NOTIFY_TIMEOUT, ConfigLimits.MAX_NOTIFY_TIMEOUT),
                        ConfigDefaults.NOTIFY_TIMEOUT));
    }

    /** The {@code high-availability} section; the timers are the patent's t1..t4 (FIG. 3). */
    private ConfigDraft.HighAvailability readHighAvailability(YamlMapping ha) {
        Located<Long> routerNumber = value(ha, ROUTER_NUMBER,
                longNumber(ConfigLimits.MIN_ROUTER_NUMBER, ConfigLimits.MAX_ROUTER_NUMBER), null);
        Located<Path> keyFile = value(ha, KEY_FILE, KeyParsers::keyFile, null);
        Located<Integer> port = value(ha, PEER_PORT, wholeNumber(ConfigLimits.MIN_PEER_PORT, ConfigLimits.MAX_PEER_PORT),
                ConfigDefaults.PEER_PORT);
        ValueParser<Duration> timeout = duration(ConfigLimits.MIN_HA_TIMEOUT, ConfigLimits.MAX_HA_TIMEOUT);
        Located<Duration> listenTimeout = value(ha, LISTEN_TIMEOUT,
                duration(ConfigLimits.MIN_LISTEN_TIMEOUT, ConfigLimits.MAX_LISTEN_TIMEOUT), ConfigDefaults.LISTEN_TIMEOUT);
        Located<Duration> standbyTimeout = value(ha, STANDBY_TIMEOUT, timeout, ConfigDefaults.STANDBY_TIMEOUT);
        Located<Duration> preemptTimeout = value(ha, PREEMPT_TIMEOUT, timeout, ConfigDefaults.PREEMPT_TIMEOUT);
        Located<Duration> updateInterval = value(ha, UPDATE_INTERVAL,
                duration(ConfigLimits.MIN_UPDATE_INTERVAL, ConfigLimits.MAX_UPDATE_INTERVAL), ConfigDefaults.UPDATE_INTERVAL);
        Located<Duration> linkFailureTime;
        if (ha.value(LINK_FAILURE_TIME.name()) != null) {
            linkFailureTime = value(ha, LINK_FAILURE_TIME, timeout, null);
        } else if (standbyTimeout.valid()) {
            // A link is as patient as the standby: by default a peer fails exactly when its service would.
            linkFailureTime = Located.ofDefault(standbyTimeout.value(), ha.at(), ha.pathOf(LINK_FAILURE_TIME.name()));
        } else {
            linkFailureTime = Located.invalid(ha.at(), ha.pathOf(LINK_FAILURE_TIME.name()));
        }
        Located<Duration> handoverDrain = value(ha, HANDOVER_DRAIN,
                duration(ConfigLimits.MIN_HANDOVER_DRAIN, ConfigLimits.MAX_HANDOVER_DRAIN), ConfigDefaults.HANDOVER_DRAIN);
        Located<Duration> shutdownHandoverTimeout = value(ha, SHUTDOWN_HANDOVER_TIMEOUT, duration(ConfigLimits.MIN_SHUTDOWN_HANDOVER_TIMEOUT,
                ConfigLimits.MAX_SHUTDOWN_HANDOVER_TIMEOUT), ConfigDefaults.SHUTDOWN_HANDOVER_TIMEOUT);
        Located<Path> stateDirectory = value(ha, STATE_DIRECTORY, KeyParsers::stateDirectory, ConfigDefaults.STATE_DIRECTORY);

        YamlMapping garp = section(ha, GRATUITOUS_ARP, GRATUITOUS_ARP_KEYS);
        Located<Integer> garpCount = value(garp, GRATUITOUS_ARP_COUNT,
                wholeNumber(ConfigLimits.MIN_GRATUITOUS_ARP_COUNT, ConfigLimits.MAX_GRATUITOUS_ARP_COUNT),
                ConfigDefaults.GRATUITOUS_ARP_COUNT);
        Located<Duration> garpInterval = value(garp, GRATUITOUS_ARP_INTERVAL,
                duration(ConfigLimits.MIN_GRATUITOUS_ARP_INTERVAL, ConfigLimits.MAX_GRATUITOUS_ARP_INTERVAL),
                ConfigDefaults.GRATUITOUS_ARP_INTERVAL);
        Located<Duration> garpReannounce = value(garp, GRATUITOUS_ARP_REANNOUNCE, KeyParsers::reannounce,
                ConfigDefaults.GRATUITOUS_ARP_REANNOUNCE);

        YamlMapping sync = section(ha, SYNC, SYNC_KEYS);
        Located<Integer> syncWindow = value(sync, SYNC_WINDOW,
                wholeNumber(ConfigLimits.MIN_SYNC_WINDOW, ConfigLimits.MAX_SYNC_WINDOW), ConfigDefaults.SYNC_WINDOW);
        Located<Duration> syncRetransmitTimeout = value(sync, SYNC_RETRANSMIT_TIMEOUT,
                duration(ConfigLimits.MIN_SYNC_RETRANSMIT_TIMEOUT, ConfigLimits.MAX_SYNC_RETRANSMIT_TIMEOUT),
                ConfigDefaults.SYNC_RETRANSMIT_TIMEOUT);

        List<ConfigDraft.Peer> peers = new ArrayList<>();
        for (Item item : items(list(ha, PEERS, "peer"), ha.pathOf(PEERS.name()), PEER_KEYS, PEER_ITEM_EXAMPLE)) {
            if (item.mapping != null) {
                peers.add(readPeer(item.mapping));
            }
        }
        return new ConfigDraft.HighAvailability(routerNumber, keyFile, port, listenTimeout, standbyTimeout, preemptTimeout,
                updateInterval, linkFailureTime, handoverDrain, garpCount, garpInterval, garpReannounce, syncWindow,
                syncRetransmitTimeout, peers, shutdownHandoverTimeout, stateDirectory);
    }

    private ConfigDraft.Peer readPeer(YamlMapping peer) {
        // A peer's name is its router.id, so it follows the same syntax.
        Located<String> name = value(peer, PEER_NAME, KeyParsers::routerId, null);
        Located<Long> routerNumber = value(peer, PEER_ROUTER_NUMBER,
                longNumber(ConfigLimits.MIN_ROUTER_NUMBER, ConfigLimits.MAX_ROUTER_NUMBER), null);
        List<ConfigDraft.Link> links = new ArrayList<>();
        for (Item item : items(list(peer, LINKS, "link"), peer.pathOf(LINKS.name()), LINK_KEYS, LINK_ITEM_EXAMPLE)) {
            if (item.mapping != null) {
                links.add(new ConfigDraft.Link(item.mapping.keyPath(),
                        value(item.mapping, LINK_LOCAL, KeyParsers::linkAddress, null),
                        value(item.mapping, LINK_PEER, KeyParsers::linkAddress, null)));
            }
        }
        return new ConfigDraft.Peer(peer.keyPath(), name, routerNumber, links);
    }

    /** {@code ports}: a list of ports and ranges, or a single one written without brackets. */
    private List<Located<ServiceConfig.PortRange>> readPorts(YamlMapping service) {
        String path = service.pathOf(PORTS.name());
        Node node = service.value(PORTS.name());
        List<Located<ServiceConfig.PortRange>> ports = new ArrayList<>();
        if (node instanceof ScalarNode && !YamlMapping.isNull(node)) {
            Located<ServiceConfig.PortRange> port = scalar(node, path, PORTS.example(), ConfigValues::parsePortRange);
            if (port.valid()) {
                ports.add(port);
            }
            return ports;
        }
        Optional<SequenceNode> list = list(service, PORTS, "port");
        if (list.isPresent()) {
            List<Node> elements = list.get().getValue();
            for (int i = 0; i < elements.size(); i++) {
                Located<ServiceConfig.PortRange> port =
                        scalar(elements.get(i), path + "[" + i + "]", PORTS.example(), ConfigValues::parsePortRange);
                if (port.valid()) {
                    ports.add(port);
                }
            }
        }
        return ports;
    }

    // ---- shapes -------------------------------------------------------------------------------------

    /**
     * An optional list of single values, or one value written without brackets; the valid values (the others
     * are reported). Empty when left out.
     */
    private <T> List<Located<T>> scalars(YamlMapping parent, ConfigSchema.Key key, String itemName, ValueParser<T> parser) {
        List<Located<T>> values = allScalars(parent, key, itemName, parser);
        values.removeIf(value -> !value.valid());
        return values;
    }

    /**
     * As {@link #scalars}, with the malformed values kept (invalid, reported): a check that depends on how many
     * values there are can tell a short list from one with a mistake in it.
     */
    private <T> List<Located<T>> allScalars(YamlMapping parent, ConfigSchema.Key key, String itemName, ValueParser<T> parser) {
        String path = parent.pathOf(key.name());
        Node node = parent.value(key.name());
        List<Located<T>> values = new ArrayList<>();
        if (node == null) {
            return values;
        }
        if (node instanceof ScalarNode && !YamlMapping.isNull(node)) {
            values.add(scalar(node, path, key.example(), parser));
            return values;
        }
        Optional<SequenceNode> list = list(parent, key, itemName);
        if (list.isPresent()) {
            List<Node> elements = list.get().getValue();
            for (int i = 0; i < elements.size(); i++) {
                values.add(scalar(elements.get(i), path + "[" + i + "]", key.example(), parser));
            }
        } else {
            values.add(Located.invalid(SourcePosition.of(node), path)); // not a usable list (reported)
        }
        return values;
    }

    /** An optional nested mapping; absent (all defaults) when left out or unusable (reported). */
    private YamlMapping section(YamlMapping parent, ConfigSchema.Key key, List<ConfigSchema.Key> keys) {
        String path = parent.pathOf(key.name());
        Node node = parent.value(key.name());
        if (node == null) {
            return YamlMapping.absent(path, parent.at());
        }
        if (YamlMapping.isNull(node)) {
            problems.add(SourcePosition.of(node), path, "has no value", key.example());
            return YamlMapping.absent(path, SourcePosition.of(node));
        }
        return YamlMapping.read(node, path, keys, problems, key.example())
                .orElseGet(() -> YamlMapping.absent(path, SourcePosition.of(node)));
    }

    /** An optional nested mapping that changes behaviour by being there: empty when left out or unusable (reported). */
    private Optional<YamlMapping> optionalSection(YamlMapping parent, ConfigSchema.Key key, List<ConfigSchema.Key> keys) {
        Node node = parent.value(key.name());
        if (node == null) {
            return Optional.empty();
        }
        String path = parent.pathOf(key.name());
        if (YamlMapping.isNull(node)) {
            problems.add(SourcePosition.of(node), path, "has no value", key.example());
            return Optional.empty();
        }
        return YamlMapping.read(node, path, keys, problems, key.example());
    }

    /** A required, non-empty list; empty when it is missing, empty or not a list (reported). */
    private Optional<SequenceNode> list(YamlMapping parent, ConfigSchema.Key key, String itemName) {
        String path = parent.pathOf(key.name());
        Node node = parent.value(key.name());
        if (node == null) {
            problems.add(parent.at(), path, "is missing", key.example());
            return Optional.empty();
        }
        if (YamlMapping.isNull(node)) {
            problems.add(SourcePosition.of(node), path, "has no value", key.example());
            return Optional.empty();
        }
        if (!(node instanceof SequenceNode sequence)) {
            problems.add(SourcePosition.of(node), path, "expected a list, found " + YamlMapping.describe(node), key.example());
            return Optional.empty();
        }
        if (sequence.getValue().isEmpty()) {
            problems.add(SourcePosition.of(node), path, "needs at least one " + itemName, key.example());
            return Optional.empty();
        }
        return Optional.of(sequence);
    }

    /** A list item read as a mapping; {@code mapping} is {@code null} when it is not one (reported). */
    private record Item(YamlMapping mapping) {
    }

    private List<Item> items(Optional<SequenceNode> list, String listPath, List<ConfigSchema.Key> keys, String example) {
        List<Item> items = new ArrayList<>();
        if (list.isPresent()) {
            List<Node> elements = list.get().getValue();
            for (int i = 0; i < elements.size(); i++) {
                items.add(new Item(YamlMapping.read(elements.get(i), listPath + "[" + i + "]", keys, problems, example).orElse(null)));
            }
        }
        return items;
    }

    /**
     * A single value of {@code mapping}: parsed when present, {@code defaultValue} when left out, reported as
     * missing when left out without a default ({@code defaultValue == null}).
     */
    private <T> Located<T> value(YamlMapping mapping, ConfigSchema.Key key, ValueParser<T> parser, T defaultValue) {
        String path = mapping.pathOf(key.name());
        Node node = mapping.value(key.name());
        if (node == null) {
            if (defaultValue == null) {
                problems.add(mapping.at(), path, "is missing", key.example());
                return Located.invalid(mapping.at(), path);
            }
            return Located.ofDefault(defaultValue, mapping.at(), path);
        }
        return scalar(node, path, key.example(), parser);
    }

    /** A value without a default whose absence means something: empty when left out, else parsed (maybe invalid, reported). */
    private <T> Optional<Located<T>> optionalValue(YamlMapping mapping, ConfigSchema.Key key, ValueParser<T> parser) {
        Node node = mapping.value(key.name());
        return node == null ? Optional.empty() : Optional.of(scalar(node, mapping.pathOf(key.name()), key.example(), parser));
    }

    private <T> Located<T> scalar(Node node, String path, String example, ValueParser<T> parser) {
        SourcePosition at = SourcePosition.of(node);
        if (YamlMapping.isNull(node)) {
            problems.add(at, path, "has no value", example);
            return Located.invalid(at, path);
        }
        if (!(node instanceof ScalarNode scalar)) {
            problems.add(at, path, "expected a single value, found " + YamlMapping.describe(node), example);
            return Located.invalid(at, path);
        }
        try {
            return new Located<>(parser.parse(scalar.getValue()), at, path);
        } catch (IllegalArgumentException e) {
            problems.add(at, path, e.getMessage(), example);
            return Located.invalid(at, path);
        }
    }
}
