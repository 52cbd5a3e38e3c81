package dev.baton.acceptance;

import dev.baton.control.protocol.ControlClient;
import dev.baton.lab.EchoClients;
import dev.baton.lab.EchoLoad;
import dev.baton.lab.ExecResult;
import dev.baton.lab.HaLabPair;
import dev.baton.lab.Lab;
import dev.baton.lab.LabRouter;
import dev.baton.lab.ServerHost;
import dev.baton.lab.Tool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reload without a restart in the lab (docs/operations.md, "Reload"): a real pair of {@code baton run} routers, three
 * servers running nginx and an echo server, a client. While 100 long-lived echo connections run through the active
 * router, each router's configuration file is rewritten and reloaded ({@code baton ctl reload}): weights changed move
 * the share of fresh HTTP connections (curl, each answer naming its server), a server added gets connections, a
 * removed one gets none, a file with an error or with a change only a restart can make changes nothing, and 20
 * reloads that renumber the echo service's servers, in either order on the two routers, lose no connection and no
 * message. Between the two routers' reloads, {@code ctl status} shows the services digests differ.
 */
@Tag("lab")
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReloadLabTest {

    /** Long-lived echo connections through the reloads, each a message every 20 ms. */
    static final int CONNECTIONS = 100;
    static final Duration LOAD = Duration.ofSeconds(50);
    static final int RELOADS = 20;

    static HaLabPair pair;
    /** What the test did when (epoch ms), for a failure's message: a broken connection's time names the step. */
    static final List<String> steps = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void startPair() throws IOException {
        Assumptions.assumeTrue(Lab.isSupported(), () -> "lab tests need root and iproute2: " + Lab.unsupportedReason());
        Assumptions.assumeTrue(Tool.NGINX.isAvailable(), Tool.NGINX::missingMessage);
        Assumptions.assumeTrue(Tool.PYTHON3.isAvailable(), Tool.PYTHON3::missingMessage);
        Assumptions.assumeTrue(Tool.CURL.isAvailable(), Tool.CURL::missingMessage);
        pair = HaLabPair.build(3);
        for (ServerHost server : pair.lab().servers()) {
            server.startNginx();
        }
        // Echo on s0 and s1, web on s0 and s1, equal weights: s2 comes in by reload.
        pair.edit((index, yaml) -> withServices(yaml, lines(List.of(0, 1), Map.of()), lines(List.of(0, 1), Map.of())));
        pair.startPair(HaLabPair.AUTOMATIC);
    }

    @AfterAll
    static void stopPair() {
        if (pair != null) {
            pair.close();
        }
    }

    @Test
    void reloadsChangeServersAndWeightsInPlaceAndLoseNoConnection() throws Exception {
        int active = HaLabPair.PRIMARY;
        int standby = HaLabPair.BACKUP;
        steps.clear();
        steps.add(System.currentTimeMillis() + " echo load starts");
        EchoClients clients = EchoLoad.start(pair.lab().client(0), CONNECTIONS, LOAD);
        try {
            assertEquals(Map.of(page(0), 10, page(1), 10), curl(20), "equal weights at start");

            // Weights 3:1, the active first: its status shows the services digests differ until the standby's reload.
            Map<String, Object> reloaded = reload(active, List.of(0, 1), Map.of(0, 3, 1, 1));
            assertEquals("reloaded", reloaded.get("outcome"), reloaded.toString());
            assertTrue(String.valueOf(reloaded.get("changes")).contains("weight"), reloaded.toString());
            pair.awaitVip(standby, vip -> Boolean.TRUE.equals(vip.get("config_differs")), "the standby seeing the digests differ");
            reload(standby, List.of(0, 1), Map.of(0, 3, 1, 1));
            pair.awaitVip(standby, vip -> Boolean.FALSE.equals(vip.get("config_differs")), "the digests equal again");
            pair.awaitSynchronizedStandby(standby);
            assertEquals(Map.of(page(0), 30, page(1), 10), curl(40), "weights 3:1 move the share");

            // s2 added to web (the standby first this time).
            reload(standby, List.of(0, 1, 2), Map.of());
            reload(active, List.of(0, 1, 2), Map.of());
            assertEquals(Map.of(page(0), 10, page(1), 10, page(2), 10), curl(30), "the added server takes its share");

            // s1 removed from web.
            reload(active, List.of(0, 2), Map.of());
            reload(standby, List.of(0, 2), Map.of());
            assertEquals(Map.of(page(0), 10, page(2), 10), curl(20), "the removed server gets no new connection");

            // A file with an error, and one with a change only a restart can make: refused, nothing changes.
            String digest = digest(active);
            String good = Files.readString(pair.router(active).configFile());
            String bad = good.replace("{ address: " + address(2) + ", weight: 1 }", "{ address: " + address(2) + ", weight: 5000 }");
            assertTrue(!bad.equals(good), "the web service's s2 line was found");
            ControlClient.ControlException refused = refuse(active, bad);
            assertTrue(refused.getMessage().contains(pair.router(active).configFile() + ":"), "file:line: " + refused.getMessage());
            assertTrue(refused.getMessage().contains("weight"), refused.getMessage());
            refused = refuse(active, good.replace("  workers: 1\n", "  workers: 2\n"));
            assertTrue(refused.getMessage().contains("router.workers"), refused.getMessage());
            assertTrue(refused.getMessage().contains("restart"), refused.getMessage());
            Files.writeString(pair.router(active).configFile(), good);
            assertEquals(digest, digest(active), "a refused file changed nothing");
            assertEquals(Map.of(page(0), 10, page(2), 10), curl(20), "and the routers forward as before");

            // 20 reloads that renumber the echo service under its long-lived connections: s2 comes first with weight 2,
            // then leaves again; the two routers take turns going first.
            for (int i = 0; i < RELOADS; i++) {
                List<Integer> echo = i % 2 == 0 ? List.of(2, 0, 1) : List.of(0, 1);
                int first = i % 4 < 2 ? active : standby;
                reloadEcho(first, echo);
                reloadEcho(HaLabPair.other(first), echo);
            }
            pair.awaitVip(standby, vip -> Boolean.FALSE.equals(vip.get("config_differs")), "the digests equal after the reloads");
        } finally {
            EchoLoad load = EchoLoad.finish(clients);
            System.out.println(load.summary("[reload] " + RELOADS + " reloads of both routers"));
            assertEquals(CONNECTIONS, load.established(), "every long-lived connection established");
            assertEquals(List.of(), load.brokenConnections(), () -> "no connection broken across the reloads; steps: " + steps
                    + "\nevents of router 0: " + pair.events(0) + "\nevents of router 1: " + pair.events(1) + "\n" + pair.logs());
            assertEquals(0, load.messagesLost(), "no message lost");
        }
        assertEquals("ACTIVE", pair.state(active), "no reload moved the VIP");
        assertTrue(pair.router(active).log().contains("reloaded"), "the log says what each reload changed");
    }

    // ------------------------------------------------------------------------------------------ configurations

    /** Router {@code index}'s file with web on {@code webServers} (weights by index, 1 unless given), then reloaded. */
    private static Map<String, Object> reload(int index, List<Integer> webServers, Map<Integer, Integer> weights) throws IOException {
        String current = Files.readString(pair.router(index).configFile());
        String echo = serverLines(current, "echo");
        String yaml = withServices(current, echo, lines(webServers, weights));
        return reloadWith(index, yaml);
    }

    /** Router {@code index}'s file with the echo service on {@code echoServers} (s2, if there, with weight 2), reloaded. */
    private static void reloadEcho(int index, List<Integer> echoServers) throws IOException {
        String current = Files.readString(pair.router(index).configFile());
        Map<String, Object> answer = reloadWith(index, withServices(current, lines(echoServers, Map.of(2, 2)), serverLines(current, "web")));
        assertEquals("reloaded", answer.get("outcome"), answer.toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> reloadWith(int index, String yaml) throws IOException {
        LabRouter router = pair.router(index);
        Files.writeString(router.configFile(), yaml);
        steps.add(System.currentTimeMillis() + " reload of router " + index);
        Map<String, Object> answer = (Map<String, Object>) router.ctl("reload", Map.of());
        steps.add(System.currentTimeMillis() + " reloaded router " + index + ": " + answer.get("changes"));
        return answer;
    }

    private static ControlClient.ControlException refuse(int index, String yaml) throws IOException {
        LabRouter router = pair.router(index);
        Files.writeString(router.configFile(), yaml);
        return assertThrows(ControlClient.ControlException.class, () -> router.ctl("reload", Map.of()));
    }

    @SuppressWarnings("unchecked")
    private static String digest(int index) {
        return String.valueOf(((Map<String, Object>) pair.router(index).ctl("status", Map.of())).get("config_digest"));
    }

    /** Server lines for servers {@code indexes}, weight 1 unless {@code weights} says. */
    private static String lines(List<Integer> indexes, Map<Integer, Integer> weights) {
        StringBuilder text = new StringBuilder();
        for (int i : indexes) {
            text.append("      - { address: ").append(address(i)).append(", weight: ").append(weights.getOrDefault(i, 1)).append(" }\n");
        }
        return text.toString();
    }

    private static String address(int server) {
        return pair.lab().server(server).address();
    }

    /**
     * {@code yaml} (a lab pair's file) with two services on the VIP: echo (the lab's) on {@code echoLines}, and web, the
     * same but on port 80, on {@code webLines}.
     */
    static String withServices(String yaml, String echoLines, String webLines) {
        int start = yaml.indexOf("services:\n") + "services:\n".length();
        int end = yaml.indexOf("high-availability:\n");
        String section = yaml.substring(start, end);
        String header = section.substring(0, section.indexOf("    servers:\n") + "    servers:\n".length());
        if (!header.contains("name: echo")) {
            throw new IllegalStateException("the echo service comes first in the lab's file: " + section);
        }
        String web = header.replace("name: echo", "name: web").replace("ports: [" + HaLabPair.ECHO_PORT + "]", "ports: [80]");
        return yaml.substring(0, start) + header + echoLines + web + webLines + yaml.substring(end);
    }

    /** The server lines of service {@code name} in a file {@link #withServices} wrote. */
    private static String serverLines(String yaml, String name) {
        int service = yaml.indexOf("  - name: " + name + "\n");
        int servers = yaml.indexOf("    servers:\n", service) + "    servers:\n".length();
        StringBuilder lines = new StringBuilder();
        for (String line : yaml.substring(servers).split("\n", -1)) {
            if (!line.startsWith("      - ")) {
                break;
            }
            lines.append(line).append('\n');
        }
        return lines.toString();
    }

    // ------------------------------------------------------------------------------------------ fresh connections

    private static String page(int server) {
        return pair.lab().server(server).pageBody().strip();
    }

    /** {@code count} fresh HTTP connections through the VIP (curl, one each): how many each server's page answered. */
    private static Map<String, Integer> curl(int count) {
        steps.add(System.currentTimeMillis() + " " + count + " curls");
        Map<String, Integer> shares = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            ExecResult result = pair.lab().client(0).exec(Duration.ofSeconds(10), Tool.CURL.require(), "-s", "--max-time", "3",
                    "http://" + HaLabPair.VIP + "/");
            shares.merge(result.succeeded() ? result.stdout().strip() : "FAILED " + result, 1, Integer::sum);
        }
        return new LinkedHashMap<>(shares);
    }
}
