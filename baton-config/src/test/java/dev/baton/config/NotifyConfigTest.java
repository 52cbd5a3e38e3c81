package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code notify} section: read with its default, and every way the script or the timeout can be wrong, each
 * reported at its line with what is wrong and how to fix it. The script is checked on the file system at load, so
 * these rows make real files.
 */
class NotifyConfigTest {

    private static final Path FILE = Path.of("t.yaml");

    /** 16 lines: a router with one peer. */
    private static final String HA = """
            router: { id: baton-1 }
            interfaces:
              - { name: eth0, role: client, address: 192.0.2.2/24 }
              - { name: eth1, role: server, address: 198.51.100.2/24 }
            services:
              - name: web
                vip: 192.0.2.10
                ports: [80]
                servers: [{ address: 198.51.100.11 }]
            high-availability:
              router-number: 1
              key-file: /etc/baton/peer.key
              peers:
                - name: baton-2
                  router-number: 2
                  links: [{ local: 203.0.113.1, peer: 203.0.113.2 }]
            """;

    @TempDir
    Path directory;
    private Path script;

    @BeforeEach
    void aGoodScript() throws IOException {
        script = directory.resolve("notify.sh");
        Files.writeString(script, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** The HA file with a notify section of these lines (lines 17 on, the values at column 20 and 12). */
    private static String withNotify(String... lines) {
        return HA + "notify:\n" + String.join("", java.util.Arrays.stream(lines).map(line -> "  " + line + "\n").toList());
    }

    private static String problems(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml, FILE, "host")).getMessage();
    }

    @Test
    void theScriptAndTimeoutAreReadAndTheTimeoutDefaultsToFiveSeconds() throws ConfigException {
        assertEquals(Optional.of(new NotifySettings(script, Duration.ofSeconds(5))),
                ConfigLoader.load(withNotify("on-state-change: " + script), FILE, "host").notifyScript());
        assertEquals(Optional.of(new NotifySettings(script, Duration.ofMillis(250))),
                ConfigLoader.load(withNotify("on-state-change: " + script, "timeout: 250ms"), FILE, "host").notifyScript());
        assertEquals(ConfigDefaults.NOTIFY_TIMEOUT, Duration.ofSeconds(5));
    }

    @Test
    void withoutTheSectionThereIsNoScript() throws ConfigException {
        assertEquals(Optional.empty(), ConfigLoader.load(HA, FILE, "host").notifyScript());
    }

    @Test
    void aRelativePathIsRefused() {
        assertEquals("t.yaml:18:20: notify.on-state-change: 'notify.sh' is not an absolute path; the router runs the script"
                + " from its own working directory, not the configuration's; for example: on-state-change: /etc/baton/notify.sh",
                problems(withNotify("on-state-change: notify.sh")));
    }

    @Test
    void aMissingScriptOrADirectoryIsRefused() {
        assertEquals("t.yaml:18:20: notify.on-state-change: " + directory.resolve("nope.sh") + " does not exist; for example:"
                + " on-state-change: /etc/baton/notify.sh", problems(withNotify("on-state-change: " + directory.resolve("nope.sh"))));
        assertEquals("t.yaml:18:20: notify.on-state-change: " + directory + " is a directory; name the script itself; for"
                + " example: on-state-change: /etc/baton/notify.sh", problems(withNotify("on-state-change: " + directory)));
    }

    @Test
    void aScriptWithoutAnExecuteBitIsRefused() throws IOException {
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals("t.yaml:18:20: notify.on-state-change: " + script + " is not executable (rw-r--r--); make it so with:"
                + " chmod 755 " + script + "; for example: on-state-change: /etc/baton/notify.sh",
                problems(withNotify("on-state-change: " + script)));
    }

    @Test
    void aScriptOthersCanChangeIsRefused() throws IOException {
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxrwxr-x"));
        assertEquals("t.yaml:18:20: notify.on-state-change: " + script + " is writable by group or others (rwxrwxr-x), who"
                + " could make the router run anything; fix it with: chmod go-w " + script + "; for example: on-state-change:"
                + " /etc/baton/notify.sh", problems(withNotify("on-state-change: " + script)));
    }

    @Test
    void aScriptInADirectoryOthersCanWriteIsRefusedUnlessTheDirectoryIsSticky() throws Exception {
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertEquals("t.yaml:18:20: notify.on-state-change: " + script + ": its directory " + directory.toRealPath()
                + " is writable by group or others (rwxrwxrwx), who could put another script in its place; fix it with:"
                + " chmod go-w " + directory.toRealPath() + "; for example: on-state-change: /etc/baton/notify.sh",
                problems(withNotify("on-state-change: " + script)));

        Process chmod = new ProcessBuilder("chmod", "1777", directory.toString()).inheritIO().start();
        assertEquals(0, chmod.waitFor());
        assertTrue(ConfigLoader.load(withNotify("on-state-change: " + script), FILE, "host").notifyScript().isPresent(),
                "in a sticky directory (as /tmp) nobody can rename another's script away");
    }

    @Test
    void aScriptOwnedByAnotherUserIsRefused() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can give a file away (chown)");
        Process chown = new ProcessBuilder("chown", "nobody", script.toString()).inheritIO().start();
        assertEquals(0, chown.waitFor());
        assertEquals("t.yaml:18:20: notify.on-state-change: " + script + " is owned by nobody, who could change what the"
                + " router runs (only root or root, who runs baton, may own it); fix it with: chown root " + script
                + "; for example: on-state-change: /etc/baton/notify.sh", problems(withNotify("on-state-change: " + script)));
    }

    @Test
    void theTimeoutIsBounded() {
        assertEquals("t.yaml:19:12: notify.timeout: 50ms is out of range (100ms..1m); for example: timeout: 5s",
                problems(withNotify("on-state-change: " + script, "timeout: 50ms")));
        assertEquals("t.yaml:19:12: notify.timeout: 2m is out of range (100ms..1m); for example: timeout: 5s",
                problems(withNotify("on-state-change: " + script, "timeout: 2m")));
    }

    @Test
    void theScriptIsRequiredAndMisspeltKeysAreNamed() {
        assertEquals("t.yaml:18:3: notify.on-state-change: is missing; for example: on-state-change: /etc/baton/notify.sh",
                problems(withNotify("timeout: 5s")));
        assertTrue(problems(withNotify("on-state-change: " + script, "timout: 5s"))
                .contains("t.yaml:19:3: notify: unknown key 'timout'; did you mean 'timeout'?"));
    }

    @Test
    void notifyWithoutHighAvailabilityIsRefused() {
        String alone = HA.substring(0, HA.indexOf("high-availability:")) + "notify: { on-state-change: " + script + " }\n";
        assertEquals("t.yaml:10:9: notify: runs on high-availability state changes, and this router has no"
                + " high-availability section (alone, it owns every VIP from start to stop); for example: "
                + ConfigSchema.HIGH_AVAILABILITY.example(), problems(alone));
    }
}
