package dev.baton.acceptance;

import dev.baton.lab.ExecResult;
import dev.baton.lab.Lab;
import dev.baton.lab.LabRouter;
import dev.baton.lab.Layout;
import dev.baton.lab.ServerHost;
import dev.baton.nativeio.UnixDatagramSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Baton runs as its systemd unit runs it (contrib/systemd/baton.service): as an unprivileged user, with exactly the
 * unit's capabilities (read from the unit, so the two cannot drift apart) as ambient capabilities and nothing beyond
 * them in the bounding set, no new privileges, {@code $NOTIFY_SOCKET} and {@code $WATCHDOG_USEC} set. On both data
 * paths a client's requests through the VIP reach the servers, {@code ctl status} answers, the service manager hears
 * READY=1, WATCHDOG=1 and STOPPING=1, and the router stops cleanly (its nftables table removed).
 *
 * <p>The user is uid and gid 65534 ({@code nobody}/{@code nogroup} on Debian), started by number through util-linux's
 * {@code setpriv}: it exists on every Debian host, owns nothing, and this shared machine's {@code /etc/passwd} stays
 * as it is (no user created). What the router must write belongs to it for the test: its work directory (the safepoint
 * log) and the control socket's directory. Its class path is copied into the lab's work directory: the build's
 * jars are under {@code /root/.m2}, which only root may enter.
 */
@Tag("lab")
class ServiceUserLabTest {

    static final String VIP = "192.0.2.10";
    static final int UID = 65534;
    static final int GID = 65534;
    static final Path UNIT = Path.of("..", "contrib", "systemd", "baton.service");
    /** Capability numbers (linux/capability.h) of the names the unit may give. */
    static final Map<String, Integer> CAPABILITY_BITS = Map.of("CAP_NET_ADMIN", 12, "CAP_NET_RAW", 13, "CAP_SYS_NICE", 23,
            "CAP_PERFMON", 38, "CAP_BPF", 39);

    static Lab lab;
    static String classPath;

    @BeforeAll
    static void startLab() throws Exception {
        Assumptions.assumeTrue(Lab.isSupported(), () -> "lab tests need root and iproute2: " + Lab.unsupportedReason());
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv is missing (apt install util-linux)");
        Assumptions.assumeFalse("af-packet".equals(System.getProperty(LabRouter.DATAPATH_PROPERTY)),
                "runs both data paths itself: nothing more to do in the af-packet execution");
        lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip(VIP).build();
        for (ServerHost server : lab.servers()) {
            server.startNginx();
        }
        classPath = readableClassPath(lab.workDirectory().resolve("classpath"));
        Path routerDirectory = lab.workDirectory().resolve(lab.router(0).name());
        Files.createDirectories(routerDirectory);
        chown(routerDirectory);
    }

    @AfterAll
    static void stopLab() {
        if (lab != null) {
            lab.close();
        }
    }

    /** The unit's AmbientCapabilities=, checked equal to its CapabilityBoundingSet=. */
    static List<String> unitCapabilities() throws IOException {
        List<String> ambient = unitSetting("AmbientCapabilities");
        assertEquals(new HashSet<>(ambient), new HashSet<>(unitSetting("CapabilityBoundingSet")));
        return ambient;
    }

    private static List<String> unitSetting(String key) throws IOException {
        List<String> values = new ArrayList<>();
        for (String line : Files.readAllLines(UNIT)) {
            if (line.startsWith(key + "=")) {
                values.addAll(List.of(line.substring(key.length() + 1).strip().split("\\s+")));
            }
        }
        assertFalse(values.isEmpty(), UNIT + " has no " + key + "=");
        return values;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"xdp", "af-packet"})
    void aRouterRunAsAnUnprivilegedUserWithOnlyTheUnitsCapabilitiesForwards(String datapath) throws Exception {
        List<String> capabilities = unitCapabilities();
        String setprivCaps = String.join(",", capabilities.stream()
                .map(c -> "+" + c.substring("CAP_".length()).toLowerCase(Locale.ROOT)).toList());
        long expectedMask = 0;
        for (String c : capabilities) {
            expectedMask |= 1L << CAPABILITY_BITS.get(c);
        }
        // Where the control socket goes: a directory of the router's user, as /run/baton is (RuntimeDirectory=).
        Path run = lab.workDirectory().resolve("run-" + datapath);
        Files.createDirectories(run);
        chown(run);
        Path socket = run.resolve("baton.sock");
        // systemd's side of the notification protocol: a datagram socket any user may send to, as /run/systemd/notify.
        Path notifyPath = lab.workDirectory().resolve("notify-" + datapath);
        try (UnixDatagramSocket systemd = UnixDatagramSocket.bind(notifyPath.toString())) {
            Files.setPosixFilePermissions(notifyPath, PosixFilePermissions.fromString("rwxrwxrwx"));
            String yaml = LabRouter.config(lab, lab.router(0), socket, List.of(LabRouter.Service.web()))
                    .replace("datapath: " + LabRouter.datapath() + "\n", "datapath: " + datapath + "\n");
            assertTrue(yaml.contains("datapath: " + datapath + "\n"), yaml);
            List<String> wrapper = List.of("env", "NOTIFY_SOCKET=" + notifyPath, "WATCHDOG_USEC=2000000",
                    "setpriv", "--reuid=" + UID, "--regid=" + GID, "--clear-groups", "--no-new-privs",
                    "--bounding-set=-all," + setprivCaps, "--inh-caps=" + setprivCaps, "--ambient-caps=" + setprivCaps);
            LabRouter router = LabRouter.start(lab, lab.router(0), yaml, socket, 0, wrapper, classPath);
            try {
                // The process is the unprivileged user's, with exactly the unit's capabilities.
                Map<String, String> status = procStatus(router.pid());
                assertEquals(UID + "\t" + UID + "\t" + UID + "\t" + UID, status.get("Uid"), status.toString());
                assertEquals(GID + "\t" + GID + "\t" + GID + "\t" + GID, status.get("Gid"), status.toString());
                for (String set : List.of("CapEff", "CapPrm", "CapAmb", "CapBnd")) {
                    assertEquals(expectedMask, Long.parseUnsignedLong(status.get(set), 16), set + ": " + status);
                }
                assertEquals("1", status.get("NoNewPrivs"));

                // The control socket: the router's user owns it, nobody else may use it (root may, as ctl does here).
                assertEquals(UID, Files.getAttribute(socket, "unix:uid"));
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
                @SuppressWarnings("unchecked")
                Map<String, Object> ctlStatus = (Map<String, Object>) router.ctl("status", Map.of());
                String datapathStatus = String.valueOf(ctlStatus.get("datapath"));
                assertTrue(datapathStatus.startsWith(datapath + " "), "the " + datapath + " data path runs with these"
                        + " capabilities: " + datapathStatus + "\n" + router.log());

                // systemd heard it is ready, what it does, and that it lives.
                String ready = awaitNotification(systemd, "READY=1");
                assertTrue(ready.matches("READY=1\nSTATUS=router \\S+: forwarding 1 of 1 VIP\\(s\\) \\(" + Pattern.quote(VIP)
                        + "\\); data path " + Pattern.quote(datapath) + " .*"), ready);
                awaitNotification(systemd, "WATCHDOG=1");

                router.awaitServersResolved(Duration.ofSeconds(20));
                Set<String> bodies = new HashSet<>();
                for (int i = 0; i < 10; i++) {
                    ExecResult r = lab.client(0).exec(Duration.ofSeconds(10), "curl", "-s", "--max-time", "5", "http://" + VIP + "/");
                    assertTrue(r.succeeded(), () -> "curl through the VIP: " + r.exitCode() + " " + r.stderr() + "\n" + router.log());
                    bodies.add(r.stdout().strip());
                }
                assertEquals(Set.of(lab.server(0).pageBody().strip(), lab.server(1).pageBody().strip()), bodies);
                awaitNotification(systemd, "WATCHDOG=1"); // still alive after the traffic
            } finally {
                router.close();
            }
            // SIGTERM: STOPPING=1, exit 0, and the unprivileged router removed its own nftables table.
            awaitNotification(systemd, "STOPPING=1");
            // The JVM ends an orderly stop at SIGTERM with 143 (128 + 15); the unit counts it a success.
            OptionalInt exit = router.process().waitFor(Duration.ofSeconds(10));
            assertTrue(exit.isPresent() && unitSetting("SuccessExitStatus").contains(Integer.toString(exit.getAsInt())),
                    "exit " + exit + ", the unit's SuccessExitStatus=" + unitSetting("SuccessExitStatus") + "\n" + router.log());
            ExecResult tables = lab.router(0).exec(Duration.ofSeconds(10), "nft", "list", "tables");
            assertFalse(tables.stdout().contains("baton_"), "the router removed its tables: " + tables.stdout());
            String log = router.log();
            assertFalse(log.contains("Operation not permitted") || log.contains("EPERM"), log);
        }
    }

    /** Datagrams until one starting with {@code prefix} (within 10 s), which it returns. */
    private static String awaitNotification(UnixDatagramSocket systemd, String prefix) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            byte[] datagram = systemd.receive(4096, 500);
            if (datagram != null) {
                String message = new String(datagram, StandardCharsets.UTF_8);
                if (message.startsWith(prefix)) {
                    return message;
                }
                seen.add(message);
            }
        }
        throw new AssertionError("no " + prefix + " within 10 s; received " + seen);
    }

    private static Map<String, String> procStatus(long pid) throws IOException {
        Map<String, String> status = new java.util.LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                status.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return status;
    }

    private static void chown(Path path) throws IOException {
        Files.setAttribute(path, "unix:uid", UID);
        Files.setAttribute(path, "unix:gid", GID);
    }

    /**
     * This JVM's class path, copied under {@code directory} where every user may read it, in order: jars as files,
     * class directories as trees (directories 755, files 644, whatever the umask).
     */
    private static String readableClassPath(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path target = directory.resolve(String.format("%03d-%s", n++, source.getFileName()));
            try (Stream<Path> tree = Files.walk(source)) {
                for (Path p : (Iterable<Path>) tree::iterator) {
                    Path copy = p.equals(source) ? target : target.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(copy);
                        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
                    } else {
                        Files.copy(p, copy);
                        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                    }
                }
            }
            entries.add(target.toString());
        }
        assertFalse(entries.isEmpty(), "no class path");
        return String.join(java.io.File.pathSeparator, entries);
    }
}
