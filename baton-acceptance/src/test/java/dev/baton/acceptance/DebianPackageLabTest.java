package dev.baton.acceptance;

import dev.baton.lab.ExecResult;
import dev.baton.lab.Lab;
import dev.baton.lab.LabRouter;
import dev.baton.lab.Layout;
import dev.baton.lab.ServerHost;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Debian package ({@code bin/package}) installed with {@code dpkg -i} into a fresh root and run as a router.
 *
 * <p>The fresh root is an overlay whose lower layer is this machine's {@code /} and whose upper layer is in the test's
 * work directory, mounted only inside a private mount namespace ({@code unshare --mount --propagation private}) and
 * entered with {@code chroot}: {@code dpkg -i}, its postinst and everything the package installs write to the upper
 * layer, and the machine's own {@code /usr}, {@code /etc} and dpkg database stay as they were (checked at the end).
 * Each step mounts the overlay again over the same upper layer, in a namespace of its own, so nothing stays mounted
 * when a step ends, even when it fails. The router is {@code /usr/bin/baton run} of the installed files, in the lab
 * router's network namespace, and a client's {@code curl} through the VIP reaches both servers.
 */
@Tag("lab")
class DebianPackageLabTest {

    static final String VIP = "192.0.2.10";
    /** The repository root: Maven runs this module's tests in baton-acceptance/. */
    static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    static final Path JAR = REPOSITORY.resolve("baton-control/target/baton.jar");
    static final Path DPKG_STATUS = Path.of("/var/lib/dpkg/status");

    /**
     * COMMAND chrooted into an overlay of this machine's / (writes go to UPPER), with /proc, /dev and /sys, and BIND
     * (a directory of the test's) mounted at its own path inside. Run under unshare --mount --propagation private:
     * every mount belongs to that namespace and goes with its last process. exec all the way, so that the command
     * (the router's JVM) keeps the process id the lab started.
     */
    static final String IN_ROOT = """
            #!/bin/sh
            # in-root.sh UPPER OVERLAY_WORK ROOT BIND COMMAND... (DebianPackageLabTest)
            set -eu
            upper=$1 work=$2 root=$3 bind=$4
            shift 4
            mount -t overlay baton-deb-test -o "lowerdir=/,upperdir=$upper,workdir=$work" "$root"
            mount -t proc proc "$root/proc"
            mount --rbind /dev "$root/dev"
            mount --rbind /sys "$root/sys"
            mkdir -p "$root$bind"
            mount --bind "$bind" "$root$bind"
            exec chroot "$root" "$@"
            """;

    @Test
    void thePackageInstalledIntoAFreshRootValidatesItsExampleAndRunsARouterThatForwardsThroughTheVip() throws Exception {
        Assumptions.assumeTrue(Lab.isSupported(), () -> "lab tests need root and iproute2: " + Lab.unsupportedReason());
        for (String tool : List.of("dpkg-deb", "dpkg", "unshare", "chroot", "strip")) {
            Assumptions.assumeTrue(onPath(tool), tool + " is missing (bin/test installs what the package test needs)");
        }
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        Assumptions.assumeTrue(Files.isExecutable(jlink), "jlink is missing: " + jlink + " (the tests must run on a full JDK 25)");
        Assumptions.assumeTrue(Files.isRegularFile(JAR), JAR + " is not built: this test packages it, and runs in the package"
                + " phase or later (bin/test runs verify; a focused run: ./mvnw -pl baton-acceptance -am verify -Dtest=DebianPackageLabTest)");
        Assumptions.assumeFalse(run(Duration.ofSeconds(30), "dpkg", "-s", "baton").succeeded(),
                "this machine has the baton package installed: the test proves it installs nothing here, and cannot then");

        String dpkgStatusBefore = sha256(DPKG_STATUS);
        boolean hostHadUser = run(Duration.ofSeconds(10), "getent", "passwd", "baton").succeeded();
        Path work = Files.createTempDirectory("baton-deb-test-");
        try {
            Path debDirectory = Files.createDirectories(work.resolve("deb"));
            Path upper = Files.createDirectories(work.resolve("upper"));
            Path overlayWork = Files.createDirectories(work.resolve("overlay-work"));
            Path root = Files.createDirectories(work.resolve("root"));
            Path inRoot = work.resolve("in-root.sh");
            Files.writeString(inRoot, IN_ROOT);

            ExecResult built = run(Duration.ofMinutes(5), REPOSITORY.resolve("bin/package").toString(), "--no-build", "--output", debDirectory.toString());
            assertTrue(built.succeeded(), "bin/package: " + built);
            Path deb = Path.of(built.stdout().strip().lines().reduce((a, b) -> b).orElseThrow());
            assertTrue(deb.getFileName().toString().matches("baton_[0-9][A-Za-z0-9.+~]*_amd64\\.deb"), deb.toString());
            String version = run(Duration.ofSeconds(30), "dpkg-deb", "-f", deb.toString(), "Version").stdout().strip();
            if (onPath("lintian")) { // bin/test installs it; a developer's machine may not have it
                ExecResult lintian = run(Duration.ofMinutes(3), "lintian", "--fail-on", "error,warning", deb.toString());
                assertEquals(0, lintian.exitCode(), "lintian: " + lintian);
            }

            List<String> inFreshRoot = List.of("unshare", "--mount", "--propagation", "private", "/bin/sh", inRoot.toString(),
                    upper.toString(), overlayWork.toString(), root.toString());
            ExecResult installed = run(Duration.ofMinutes(3), concat(inFreshRoot, debDirectory.toString(), "dpkg", "-i", deb.toString()));
            assertTrue(installed.succeeded(), "dpkg -i in the fresh root: " + installed);

            ExecResult status = run(Duration.ofSeconds(30), concat(inFreshRoot, debDirectory.toString(), "dpkg", "-s", "baton"));
            assertTrue(status.stdout().contains("Status: install ok installed"), status.toString());
            assertTrue(status.stdout().contains("Version: " + version + "\n"), status.toString());
            ExecResult user = run(Duration.ofSeconds(30), concat(inFreshRoot, debDirectory.toString(), "getent", "passwd", "baton"));
            assertTrue(user.succeeded() && user.stdout().contains(":/nonexistent:"), "postinst made the system user baton: " + user);

            ExecResult versionOutput = run(Duration.ofMinutes(1), concat(inFreshRoot, debDirectory.toString(), "/usr/bin/baton", "--version"));
            assertTrue(versionOutput.succeeded() && versionOutput.stdout().startsWith("baton "), versionOutput.toString());
            ExecResult check = run(Duration.ofMinutes(1), concat(inFreshRoot, debDirectory.toString(),
                    "/usr/bin/baton", "check", "--config", "/etc/baton/baton.yaml.example"));
            assertEquals(0, check.exitCode(), check.toString());
            assertTrue(check.stdout().contains("/etc/baton/baton.yaml.example: valid"), check.toString());
            // What went where, in the upper layer: the example and no live configuration, the man page, the runtime.
            assertTrue(Files.isRegularFile(upper.resolve("etc/baton/baton.yaml.example")));
            assertFalse(Files.exists(upper.resolve("etc/baton/baton.yaml")), "the package installs no live configuration");
            assertTrue(Files.isRegularFile(upper.resolve("usr/share/man/man1/baton.1.gz")));
            assertTrue(Files.isExecutable(upper.resolve("usr/lib/baton/runtime/bin/java")));
            // Asked inside the root: on a merged-/usr system dpkg writes /lib/... through the /lib -> usr/lib link.
            assertEquals(Files.isRegularFile(REPOSITORY.resolve("contrib/systemd/baton.service")),
                    run(Duration.ofSeconds(30), concat(inFreshRoot, debDirectory.toString(), "test", "-f", "/lib/systemd/system/baton.service")).succeeded(),
                    "the unit is packaged when the tree has it");

            routerFromTheInstalledFilesForwardsThroughTheVip(concat(inFreshRoot));

            // postinst again over an existing user (an upgrade, a reinstall), then purge: postrm takes the user away.
            ExecResult reinstalled = run(Duration.ofMinutes(3), concat(inFreshRoot, debDirectory.toString(), "dpkg", "-i", deb.toString()));
            assertTrue(reinstalled.succeeded(), "dpkg -i over the installed package: " + reinstalled);
            ExecResult purged = run(Duration.ofMinutes(1), concat(inFreshRoot, debDirectory.toString(), "dpkg", "--purge", "baton"));
            assertTrue(purged.succeeded(), "dpkg --purge: " + purged);
            assertFalse(run(Duration.ofSeconds(30), concat(inFreshRoot, debDirectory.toString(), "getent", "passwd", "baton")).succeeded(),
                    "purge removes the baton user");
            assertFalse(run(Duration.ofSeconds(30), concat(inFreshRoot, debDirectory.toString(), "test", "-e", "/usr/bin/baton")).succeeded());
            assertFalse(run(Duration.ofSeconds(30), concat(inFreshRoot, debDirectory.toString(), "test", "-e", "/etc/baton")).succeeded(),
                    "purge removes /etc/baton when nothing else is in it");
        } finally {
            removeWorkDirectory(work);
        }
        // The machine's own root: dpkg's database unchanged, no package, no user, no files.
        assertEquals(dpkgStatusBefore, sha256(DPKG_STATUS), "the machine's dpkg database changed");
        assertFalse(run(Duration.ofSeconds(30), "dpkg", "-s", "baton").succeeded(), "dpkg -s baton succeeds on the machine");
        assertFalse(Files.exists(Path.of("/usr/bin/baton")) || Files.exists(Path.of("/usr/lib/baton")) || Files.exists(Path.of("/etc/baton")),
                "the package's files appeared on the machine");
        if (!hostHadUser) {
            assertFalse(run(Duration.ofSeconds(10), "getent", "passwd", "baton").succeeded(), "the baton user appeared on the machine");
        }
    }

    /** A lab router started as {@code /usr/bin/baton run} of the fresh root; curl from the client reaches both servers. */
    private static void routerFromTheInstalledFilesForwardsThroughTheVip(List<String> inFreshRoot) throws IOException {
        try (Lab lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip(VIP).build()) {
            for (ServerHost server : lab.servers()) {
                server.startNginx();
            }
            Path socket = lab.workDirectory().resolve("baton.sock");
            // With the metrics listener: its HTTP server (jdk.httpserver) must be in the jlink'd runtime too.
            String client = lab.router(0).clientAddress();
            String metrics = client.substring(0, client.indexOf('/')) + ":9477";
            String yaml = LabRouter.config(lab, lab.router(0), socket, List.of(LabRouter.Service.web()))
                    + "metrics: { listen: " + metrics + " }\n";
            // The lab's work directory (its configuration, log and control socket) at its own path inside the root.
            List<String> launcher = concat(inFreshRoot, lab.workDirectory().toString(), "/usr/bin/baton");
            try (LabRouter router = LabRouter.startWith(lab, lab.router(0), yaml, socket, launcher)) {
                String java = ProcessHandle.of(router.pid()).flatMap(p -> p.info().command()).orElse("?");
                assertTrue(java.endsWith("/usr/lib/baton/runtime/bin/java"), "the router runs on the package's runtime, not " + java);
                router.awaitServersResolved(Duration.ofSeconds(20));
                Set<String> answers = new HashSet<>();
                for (int i = 0; i < 10; i++) {
                    ExecResult r = lab.client(0).exec(Duration.ofSeconds(15), "curl", "-s", "--max-time", "5", "http://" + VIP + "/");
                    answers.add(r.succeeded() ? r.stdout().strip() : "FAILED " + r.exitCode());
                }
                assertEquals(Set.of(lab.server(0).pageBody().strip(), lab.server(1).pageBody().strip()), answers,
                        "every request through the VIP answered by a server; router log:\n" + router.log());
                assertNotEquals(0L, router.counter("forwarded_frames"), "the router counted what it forwarded");
                ExecResult scraped = lab.router(0).exec(Duration.ofSeconds(15), "curl", "-s", "--max-time", "5", "http://" + metrics + "/metrics");
                assertTrue(scraped.succeeded() && scraped.stdout().contains("baton_"), "GET /metrics from the package's runtime: " + scraped);
            }
        }
    }

    /**
     * Deletes the test's work directory, which holds the overlay's upper layer (root-owned files, a copy of what
     * dpkg wrote). Refuses while anything is mounted under it: a mount there would be the overlay of the whole
     * machine, and deleting through it would delete the machine. Every mount is made in a private namespace that has
     * ended by now, so this is a guard, not a step.
     */
    private static void removeWorkDirectory(Path work) throws IOException {
        String prefix = work.toRealPath().toString() + "/";
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && (fields[4] + "/").startsWith(prefix)) {
                throw new IllegalStateException("left " + work + " in place: " + fields[4] + " is mounted under it");
            }
        }
        Files.walkFileTree(work, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ExecResult run(Duration timeout, String... command) throws IOException {
        return run(timeout, List.of(command));
    }

    /** Runs {@code command} to completion (killed after {@code timeout}); output through files, so no pipe fills. */
    private static ExecResult run(Duration timeout, List<String> command) throws IOException {
        Path out = Files.createTempFile("baton-deb-test-out", ".txt");
        Path err = Files.createTempFile("baton-deb-test-err", ".txt");
        try {
            Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            return new ExecResult(finished ? process.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), !finished);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command, e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
