package dev.baton.acceptance;

import dev.baton.lab.ExecResult;
import dev.baton.lab.HaLabPair;
import dev.baton.lab.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.baton.lab.HaLabPair.ACTIVE_STATE;
import static dev.baton.lab.HaLabPair.BACKUP;
import static dev.baton.lab.HaLabPair.MANUAL;
import static dev.baton.lab.HaLabPair.PRIMARY;
import static dev.baton.lab.HaLabPair.STANDBY_STATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page in a real browser (issue #11): each router of the failover pair serves it on its metrics listener,
 * inside its own namespace on 127.0.0.1; headless Chromium (Debian's {@code chromium}), run in that namespace, loads
 * the page, lets its script poll {@code status.json} and render, and dumps the DOM. Before a switch-over router 0's
 * page shows the VIP ACTIVE and router 1's STANDBY; after it, the other way round. A screenshot of router 1's page is
 * left in the module's {@code target/status-page.png} (how docs/status-page.png was made).
 */
@Tag("lab")
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StatusPageLabTest {

    static final int PORT = 9180;
    static final String URL = "http://127.0.0.1:" + PORT + "/";
    /** A row of the page's VIP table: its VIP, then the state cell the script fills in. */
    static final Pattern VIP_ROW = Pattern.compile(
            "<tr data-vip=\"" + Pattern.quote(HaLabPair.VIP) + "\"><td>[^<]*</td><td>[^<]*</td><td class=\"state state-([A-Z_]+)\">");
    static final Duration BROWSER_TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final HaLabLifecycle LAB = new HaLabLifecycle(Tool.CHROMIUM);
    static HaLabPair pair;

    @BeforeAll
    static void usePair() {
        pair = LAB.pair();
    }

    @AfterEach
    void stopRouters() {
        pair.resetConfiguration();
        pair.stopAll();
    }

    @Test
    void thePageShowsEachRoutersStateAndFollowsASwitchover() throws IOException {
        pair.extraSections(index -> "metrics: { listen: 127.0.0.1:" + PORT + " }\n");
        pair.startPair(MANUAL);

        assertEquals("ACTIVE", stateOnPage(PRIMARY));
        assertEquals("STANDBY", stateOnPage(BACKUP));

        pair.router(PRIMARY).ctl("switchover", Map.of());
        pair.awaitVip(BACKUP, ACTIVE_STATE, "router 1 ACTIVE after the switch-over");
        pair.awaitVip(PRIMARY, STANDBY_STATE, "router 0 STANDBY after the switch-over");

        assertEquals("STANDBY", stateOnPage(PRIMARY));
        assertEquals("ACTIVE", stateOnPage(BACKUP));

        Path screenshot = Path.of("target", "status-page.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        ExecResult shot = chromium(BACKUP, "--screenshot=" + screenshot, "--window-size=1280,1100");
        assertTrue(shot.succeeded() && Files.size(screenshot) > 10_000, () -> "no screenshot: " + shot.stderr());
    }

    /** The VIP's state as router {@code index}'s page renders it, once its script has polled. */
    private static String stateOnPage(int index) {
        ExecResult dump = chromium(index, "--dump-dom");
        assertTrue(dump.succeeded(), () -> "chromium failed on router " + index + ": " + dump.stderr());
        String dom = dump.stdout();
        Matcher row = VIP_ROW.matcher(dom);
        assertTrue(row.find(), () -> "router " + index + "'s page has no row for " + HaLabPair.VIP + ":\n" + dom);
        assertTrue(dom.contains("data-updated="), () -> "the page's script never rendered a poll:\n" + dom);
        return row.group(1);
    }

    /**
     * Headless Chromium in router {@code index}'s namespace on its page. As root it needs {@code --no-sandbox}; its
     * profile goes to the run's work directory; the virtual time budget lets the page's first polls (one a second) run.
     */
    private static ExecResult chromium(int index, String... arguments) {
        Path profile = pair.lab().workDirectory().resolve("chromium-" + index);
        List<String> command = new ArrayList<>(List.of(Tool.CHROMIUM.require(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=" + profile, "--virtual-time-budget=3000"));
        command.addAll(List.of(arguments));
        command.add(URL);
        return pair.host(index).exec(BROWSER_TIMEOUT, command);
    }
}
