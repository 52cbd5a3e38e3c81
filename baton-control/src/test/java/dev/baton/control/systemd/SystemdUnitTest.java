package dev.baton.control.systemd;

import dev.baton.config.ConfigDefaults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code contrib/systemd/baton.service}: verified by systemd itself ({@code systemd-analyze verify}, the only part
 * of systemd that runs without systemd as PID 1, as on this lab machine), and read for what Baton depends on: the
 * user, exactly the three capabilities {@code ServiceUserLabTest} runs a router with, {@code Type=notify}, the reload and the
 * watchdog, and the directories the configuration's defaults name.
 */
class SystemdUnitTest {

    static final Path UNIT = Path.of("..", "contrib", "systemd", "baton.service");
    /** What the router needs (docs/operations.md, "Running as a service"); ServiceUserLabTest proves it is enough. */
    static final Set<String> CAPABILITIES = Set.of("CAP_NET_RAW", "CAP_NET_ADMIN", "CAP_BPF");

    /** Every active {@code Key=Value} line of a unit file, values split on white space, by key. */
    static Map<String, List<String>> settings(String unit) {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        for (String line : unit.lines().map(String::strip).toList()) {
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";") || line.startsWith("[")) {
                continue;
            }
            int equals = line.indexOf('=');
            assertTrue(equals > 0, "not a setting: " + line);
            settings.computeIfAbsent(line.substring(0, equals), k -> new ArrayList<>())
                    .addAll(Arrays.asList(line.substring(equals + 1).strip().split("\\s+")));
        }
        return settings;
    }

    @Test
    void theRouterRunsAsBatonWithOnlyItsFourCapabilities() throws IOException {
        Map<String, List<String>> unit = settings(Files.readString(UNIT));
        assertEquals(List.of("baton"), unit.get("User"));
        assertEquals(CAPABILITIES, new TreeSet<>(unit.get("AmbientCapabilities")), "ambient: the JVM has no file capabilities");
        assertEquals(CAPABILITIES, new TreeSet<>(unit.get("CapabilityBoundingSet")), "nothing beyond them, ever");
        assertEquals(List.of("yes"), unit.get("NoNewPrivileges"));
        assertEquals(List.of("strict"), unit.get("ProtectSystem"));
        assertTrue(unit.get("RestrictAddressFamilies").containsAll(List.of("AF_UNIX", "AF_INET", "AF_PACKET", "AF_NETLINK")),
                unit.get("RestrictAddressFamilies").toString());
        assertFalse(unit.containsKey("MemoryDenyWriteExecute"), "the JVM's JIT writes code it runs");
        assertFalse(unit.containsKey("RestrictRealtime"), "the HA agent's thread asks for SCHED_RR");
    }

    @Test
    void systemdKnowsWhenItForwardsAndWhetherItLives() throws IOException {
        Map<String, List<String>> unit = settings(Files.readString(UNIT));
        assertEquals(List.of("notify"), unit.get("Type"));
        assertEquals(List.of("main"), unit.get("NotifyAccess"), "READY=1 comes from the JVM, baton run itself");
        assertTrue(unit.get("WatchdogSec").getFirst().matches("[0-9]+s"), unit.get("WatchdogSec").toString());
        assertEquals(List.of("on-failure"), unit.get("Restart"));
        assertEquals(List.of("143"), unit.get("SuccessExitStatus"), "the JVM's status after an orderly stop at SIGTERM");
        assertEquals(List.of("2"), unit.get("RestartPreventExitStatus"), "an invalid configuration: a restart would not help");
        assertEquals(List.of("/usr/bin/baton", "run", "--config", "/etc/baton/baton.yaml"), unit.get("ExecStart"));
        assertEquals(List.of("/usr/bin/baton", "ctl", "reload"), unit.get("ExecReload"),
                "synchronous: systemctl reload waits for the router's answer and fails when it refused the file"
                        + " (kill -HUP would return before the reload, and systemd 252 has no Type=notify-reload)");
    }

    @Test
    void theReloadCommandFindsTheSocketWhereTheUnitPutsIt() throws IOException {
        Map<String, List<String>> unit = settings(Files.readString(UNIT));
        // ExecReload= names no socket: ctl takes the only *.sock in /run/baton, which is RuntimeDirectory= and the
        // directory of router.control-socket's default (/run/baton/<id>.sock).
        assertFalse(unit.get("ExecReload").contains("--socket"), unit.get("ExecReload").toString());
        assertEquals(Path.of("/run").resolve(unit.get("RuntimeDirectory").getFirst()), ConfigDefaults.CONTROL_SOCKET_DIRECTORY);
        assertEquals(unit.get("User"), List.of("baton"), "ExecReload= runs as the socket's owner (mode 0600)");
    }

    @Test
    void theDirectoriesAreTheConfigurationsDefaults() throws IOException {
        Map<String, List<String>> unit = settings(Files.readString(UNIT));
        // StateDirectory=baton is /var/lib/baton, owned by User=, writable under ProtectSystem=strict.
        assertEquals(List.of("baton"), unit.get("StateDirectory"));
        assertEquals(Path.of("/var/lib").resolve(unit.get("StateDirectory").getFirst()), ConfigDefaults.STATE_DIRECTORY);
        // RuntimeDirectory=baton is /run/baton, where the control socket goes by default.
        assertEquals(List.of("baton"), unit.get("RuntimeDirectory"));
        assertEquals(Path.of("/run").resolve(unit.get("RuntimeDirectory").getFirst()), ConfigDefaults.CONTROL_SOCKET_DIRECTORY);
    }

    @Test
    void systemdAnalyzeVerifiesTheUnitWithoutAWord(@TempDir Path directory) throws Exception {
        assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed (apt install systemd): the unit is not verified");
        String verified = verify(directory, Files.readString(UNIT));
        assertEquals("", verified, "systemd-analyze verify has something to say");
        // ExecReload='s program is checked too: a reload command that does not exist is reported.
        String noReloader = verify(directory, Files.readString(UNIT).replace("ExecReload=/usr/bin/baton ", "ExecReload=/usr/bin/baton-missing "));
        assertTrue(noReloader.contains("baton-missing"), noReloader);
        // The check can fail: a misspelt key is reported.
        String misspelt = verify(directory, Files.readString(UNIT).replace("WatchdogSec=", "WatchdogSecs="));
        assertTrue(misspelt.contains("Unknown key 'WatchdogSecs'"), misspelt);
    }

    @Test
    void theUnitsExposureIsRatedOk(@TempDir Path directory) throws Exception {
        assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed (apt install systemd)");
        Path unit = unitWithStub(directory, Files.readString(UNIT));
        Run security = run(List.of("systemd-analyze", "security", "--offline=yes", unit.toString()));
        assumeTrue(security.exitCode() == 0 || security.output().contains("Overall exposure level"),
                "this systemd-analyze has no offline security check (systemd 250 and later): " + security.output());
        Matcher level = Pattern.compile("Overall exposure level for baton.service: ([0-9.]+)").matcher(security.output());
        assertTrue(level.find(), security.output());
        // systemd rates up to 4.9 "OK"; the unit scores 3.7 (what it cannot have: MemoryDenyWriteExecute=,
        // PrivateNetwork=, a user namespace, an address family allow-list without AF_PACKET).
        assertTrue(Double.parseDouble(level.group(1)) <= 4.0, security.output());
    }

    /**
     * {@code systemd-analyze verify} of {@code text} as {@code baton.service}: its output, empty when it has nothing to
     * say. verify insists that ExecStart='s program exist; the package installs {@code /usr/bin/baton}, so the copy
     * names a stub in the test's directory instead, every other line unchanged.
     */
    private static String verify(Path directory, String text) throws Exception {
        Path unit = unitWithStub(directory, text);
        Run verify = run(List.of("systemd-analyze", "verify", unit.toString()));
        return verify.exitCode() == 0 ? verify.output().strip() : "exit " + verify.exitCode() + ": " + verify.output();
    }

    private static Path unitWithStub(Path directory, String text) throws IOException {
        Path stub = directory.resolve("baton");
        if (!Files.exists(stub)) {
            Files.writeString(stub, "#!/bin/sh\nexit 0\n");
            Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        assertTrue(text.contains("/usr/bin/baton "), "ExecStart names /usr/bin/baton");
        Path unit = directory.resolve("baton.service");
        Files.writeString(unit, text.replace("/usr/bin/baton ", stub + " "));
        return unit;
    }

    private record Run(int exitCode, String output) {
    }

    private static Run run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within 60 s");
        }
        return new Run(process.exitValue(), output);
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
