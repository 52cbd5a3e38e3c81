package dev.baton.ha.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.baton.ha.notify.ScriptLauncher.Outcome;
import dev.baton.ha.notify.ScriptLauncher.RunningScript;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real shell scripts through {@link ProcessScriptLauncher}: arguments, environment, exit status, output, the timeout's kill. */
class ProcessScriptLauncherTest {

    private static final Duration GENEROUS = Duration.ofSeconds(10);

    @TempDir
    Path directory;

    private final ProcessScriptLauncher launcher = new ProcessScriptLauncher();

    private Path script(String body) throws IOException {
        Path script = directory.resolve("notify.sh");
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void theScriptGetsItsArgumentsAndEnvironmentAndNoShellReadsThem() throws Exception {
        Path seen = directory.resolve("seen");
        Path script = script("printf '%s|%s|%s|%s|%s|%s\\n' \"$1\" \"$2\" \"$3\" \"$4\" \"$BATON_VIP\" \"$BATON_ROUTER_ID\" >> " + seen + "\n");

        try (RunningScript run = launcher.start(List.of(script.toString(), "192.0.2.10", "STANDBY", "ACTIVE", "lost; $(touch x) `id`"),
                Map.of("BATON_VIP", "192.0.2.10", "BATON_ROUTER_ID", "baton-2"))) {
            assertEquals(Outcome.EXITED, run.awaitExit(GENEROUS));
            assertEquals(0, run.exitStatus());
            assertEquals(List.of(), run.firstLines(5, 200));
        }

        assertEquals("192.0.2.10|STANDBY|ACTIVE|lost; $(touch x) `id`|192.0.2.10|baton-2\n", Files.readString(seen));
        assertFalse(Files.exists(Path.of("/x")) || Files.exists(directory.resolve("x")), "the reason is an argument, never shell text");
    }

    @Test
    void aFailingScriptsStatusAndFirstLinesOfItsOutputAreKept() throws Exception {
        Path script = script("echo one\necho two >&2\nprintf 'three\\033[31m red\\n'\necho four\nexit 3\n");

        try (RunningScript run = launcher.start(List.of(script.toString()), Map.of())) {
            assertEquals(Outcome.EXITED, run.awaitExit(GENEROUS));
            assertEquals(3, run.exitStatus());
            assertEquals(List.of("one", "two", "three?[31m red"), run.firstLines(3, 200),
                    "standard output and error together, in order, control characters replaced, at most 3 lines");
        }
    }

    @Test
    void atTheTimeoutTheScriptAndItsChildrenAreKilled() throws Exception {
        Path childPid = directory.resolve("child.pid");
        Path script = script("sleep 30 &\necho $! > " + childPid + "\nwait\n");

        try (RunningScript run = launcher.start(List.of(script.toString()), Map.of())) {
            assertEquals(Outcome.TIMED_OUT, run.awaitExit(Duration.ofMillis(300)));
            run.kill();
            long child = Long.parseLong(Files.readString(childPid).strip());
            assertTrue(gone(child), "the script's child (sleep, pid " + child + ") is killed with it");
        }
    }

    @Test
    void aScriptFloodingItsOutputIsStoppedAtTheLimit() throws Exception {
        Path script = script("exec yes flood\n");

        try (RunningScript run = launcher.start(List.of(script.toString()), Map.of())) {
            assertEquals(Outcome.OUTPUT_LIMIT, run.awaitExit(GENEROUS));
            run.kill();
            assertEquals(List.of("flood", "flood"), run.firstLines(2, 200));
        }
    }

    @Test
    void aScriptThatCannotStartIsAnIOException() throws Exception {
        Path notExecutable = directory.resolve("plain.txt");
        Files.writeString(notExecutable, "not a program");

        assertThrows(IOException.class, () -> launcher.start(List.of(notExecutable.toString()), Map.of()));
    }

    @Test
    void outputLinesAreCutAndCleaned() {
        assertEquals(List.of("abc", "d?f"), ProcessScriptLauncher.lines("abcdef\n\nd\u0007f\nmore\n", 2, 3));
    }

    /** Whether {@code pid} no longer runs: no such process, or a zombie its new parent has not reaped yet. */
    private static boolean gone(long pid) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            Path stat = Path.of("/proc/" + pid + "/stat");
            if (!Files.exists(stat)) {
                return true;
            }
            String text;
            try {
                text = Files.readString(stat);
            } catch (IOException e) {
                return true; // gone between the two
            }
            // pid (comm) STATE ...: the state follows the last ')'
            char state = text.charAt(text.lastIndexOf(')') + 2);
            if (state == 'Z' || state == 'X') {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return false;
    }
}
