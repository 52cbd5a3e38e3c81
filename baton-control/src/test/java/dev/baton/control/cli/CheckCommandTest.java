package dev.baton.control.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckCommandTest {

    @Test
    void validExampleExitsZero() {
        assertEquals(Baton.EXIT_OK, Baton.commandLine().execute("check", "--config", "../examples/two-arm.yaml"));
        assertEquals(Baton.EXIT_OK, Baton.commandLine().execute("check", "--config", "../examples/one-arm.yaml"));
    }

    @Test
    void invalidConfigurationExitsTwoAndNamesFileLineAndKey(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                interfaces:
                  - { name: eth0, role: both, address: 192.0.2.2/24 }
                services:
                  - name: web
                    vip: 192.0.2.10
                    ports: [80]
                    servers:
                      - { address: 192.0.2.11, wieght: 5 }
                """);
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            assertEquals(Baton.EXIT_INVALID, Baton.commandLine().execute("check", "--config", bad.toString()));
        } finally {
            System.setErr(original);
        }
        String message = err.toString();
        assertTrue(message.contains(bad + ":8:"), message);
        assertTrue(message.contains("services[0].servers[0]"), message);
        assertTrue(message.contains("did you mean 'weight'"), message);
    }

    /** A FIFO used to hang `baton check` in the open until a writer came. */
    @Test
    @org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.SECONDS,
            threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void aFifoExitsTwoPromptlyNamingWhatItIs(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("baton.yaml");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        // Once before the capture: every class it needs is loaded then, and a Java agent in this JVM (Jazzer, when the
        // fuzz tests ran first) says so on stderr then, not into the one line this test reads.
        assertEquals(Baton.EXIT_INVALID, Baton.commandLine().execute("check", "--config", fifo.toString()));
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true));
        try {
            assertEquals(Baton.EXIT_INVALID, Baton.commandLine().execute("check", "--config", fifo.toString()));
        } finally {
            System.setErr(original);
        }
        assertEquals(fifo + ": is a FIFO (named pipe), not a regular file", err.toString().strip());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(Baton.EXIT_INVALID, Baton.commandLine().execute("check"));
        assertEquals(Baton.EXIT_INVALID, Baton.commandLine().execute("no-such-command"));
    }
}
