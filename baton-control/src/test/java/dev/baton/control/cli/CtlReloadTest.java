package dev.baton.control.cli;

import dev.baton.config.ConfigException;
import dev.baton.config.ConfigProblem;
import dev.baton.control.protocol.Json;
import dev.baton.control.socket.ControlServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code baton ctl reload} against a control socket that answers as the router does: the outcome and each change on
 * standard output (exit 0), the raw answer with {@code --json}, a rejected file's problems one a line on standard
 * error (exit 1, as every ctl command's error), and an unreachable router told apart from a refusal.
 */
class CtlReloadTest {

    private static final Path CONFIG = Path.of("/etc/baton/baton.yaml");

    private record Run(int exitStatus, String out, String err) {
    }

    /** {@code baton ...} in this JVM, its standard output and error captured (ctl prints to System.out and err). */
    private static synchronized Run baton(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
        ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(capturedOut, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
            int status = Baton.commandLine().execute(args);
            return new Run(status, capturedOut.toString(StandardCharsets.UTF_8), capturedErr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void aReloadPrintsItsOutcomeAndEachChangeAndJsonAsItCame(@TempDir Path directory) throws Exception {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("outcome", "reloaded");
        answer.put("config", CONFIG.toString());
        answer.put("changes", List.of("service web: server 198.51.100.13 added (weight 10)"));
        answer.put("config_digest", "5f3a9c01d2e4b687");
        List<Map<String, Object>> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        Path socket = directory.resolve("r1.sock");
        try (ControlServer router = new ControlServer(socket).handle("reload", args -> {
            requests.add(args);
            return answer;
        })) {
            router.start();
            Run text = baton("ctl", "--socket", socket.toString(), "reload");
            assertEquals(new Run(Baton.EXIT_OK, """
                    reloaded /etc/baton/baton.yaml: 1 change (configuration digest 5f3a9c01d2e4b687)
                      service web: server 198.51.100.13 added (weight 10)
                    """, ""), text);
            Run json = baton("ctl", "--socket", socket.toString(), "reload", "--json");
            assertEquals(Baton.EXIT_OK, json.exitStatus(), json.err());
            assertEquals(answer, Json.parse(json.out().strip()));
            assertEquals(List.of(Map.of(), Map.of()), requests, "reload takes no arguments");
        }
    }

    @Test
    void aRejectedFileIsEveryProblemOnStandardErrorAndExitStatusOne(@TempDir Path directory) throws Exception {
        List<ConfigProblem> problems = List.of(
                new ConfigProblem(CONFIG, 14, 15, "services[0].servers[1].weight", "5000 is out of range (0..1000)", "weight: 10"),
                new ConfigProblem(CONFIG, 20, 9, "services[1].ports[0]", "70000 is not a port (1..65535)", "ports: [80]"));
        Path socket = directory.resolve("r1.sock");
        try (ControlServer router = new ControlServer(socket).handle("reload", args -> {
            throw new ConfigException(problems); // what RouterDaemon's handler lets through: the control protocol's error
        })) {
            router.start();
            Run run = baton("ctl", "--socket", socket.toString(), "reload");
            assertEquals(Baton.EXIT_FAILURE, run.exitStatus());
            assertEquals("", run.out());
            assertEquals("baton ctl reload: refused; the router's running configuration stays:\n"
                    + "  " + problems.get(0) + "\n  " + problems.get(1) + "\n", run.err());
            assertEquals(run.err(), baton("ctl", "--socket", socket.toString(), "reload", "--json").err(),
                    "errors go to standard error as text, as for every ctl command");
        }
    }

    @Test
    void aRouterThatCannotBeReachedIsNotARefusal(@TempDir Path directory) {
        Run run = baton("ctl", "--socket", directory.resolve("gone.sock").toString(), "reload");
        assertEquals(Baton.EXIT_FAILURE, run.exitStatus());
        assertTrue(run.err().startsWith("baton ctl reload: cannot reach the router's control socket "), run.err());
        assertTrue(!run.err().contains("running configuration stays"), "nothing is known of what the router runs: " + run.err());
    }
}
