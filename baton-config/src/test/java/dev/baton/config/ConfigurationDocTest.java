package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;

/** docs/configuration.md must describe every key and show messages the loader really prints. */
class ConfigurationDocTest {

    static final Path DOC = Path.of("..", "docs", "configuration.md");

    private static String doc;

    @BeforeAll
    static void readDoc() throws IOException {
        doc = Files.readString(DOC);
    }

    @Test
    void everyKeyOfEveryLevelIsDescribed() {
        for (Map.Entry<String, List<ConfigSchema.Key>> level : ConfigSchema.levels().entrySet()) {
            for (ConfigSchema.Key key : level.getValue()) {
                assertTrue(doc.contains("| `" + key.name() + "` |") || doc.contains("`" + key.name() + "` —"),
                        "docs/configuration.md does not describe " + level.getKey() + " key '" + key.name() + "'");
            }
        }
    }

    @Test
    void fullExampleLoadsWithoutProblems() throws ConfigException {
        BatonConfig config = ConfigLoader.load(block("test:full-example"), DOC, "doc-host");

        assertEquals("baton-1", config.router().id());
        assertEquals(ConfigDefaults.RING, config.router().ring());
        assertEquals(ConfigDefaults.TABLE, config.table());
        assertEquals(ConfigDefaults.NEIGHBOURS, config.neighbours());
        ServiceConfig web = config.services().getFirst();
        assertEquals(List.of(ConfigDefaults.SERVICE_ROLE, ConfigDefaults.PRIORITY, ConfigDefaults.FAILBACK),
                List.of(web.role(), web.priority(), web.failback()));
        HighAvailabilitySettings ha = config.highAvailability().orElseThrow();
        assertEquals(List.of(ConfigDefaults.PEER_PORT, ConfigDefaults.LISTEN_TIMEOUT, ConfigDefaults.STANDBY_TIMEOUT,
                        ConfigDefaults.PREEMPT_TIMEOUT, ConfigDefaults.UPDATE_INTERVAL, ConfigDefaults.STANDBY_TIMEOUT,
                        ConfigDefaults.HANDOVER_DRAIN, ConfigDefaults.GRATUITOUS_ARP, ConfigDefaults.SYNC),
                List.of(ha.port(), ha.listenTimeout(), ha.standbyTimeout(), ha.preemptTimeout(), ha.updateInterval(),
                        ha.linkFailureTime(), ha.handoverDrain(), ha.gratuitousArp(), ha.sync()));
    }

    @Test
    void badExamplePrintsExactlyTheDocumentedProblems() {
        ConfigException thrown = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(block("test:bad-input"), Path.of("examples/bad.yaml"), "doc-host"));

        assertEquals(block("test:bad-output").strip(), thrown.getMessage());
    }

    @Test
    void quotedRuleMessagesAreWhatTheLoaderTestsExpect() {
        Set<String> expectedByTests = new HashSet<>();
        for (Arguments row : Stream.of(ConfigLoaderRejectionTest.rejections(), HighAvailabilityRejectionTest.rejections(),
                ReachabilityConfigTest.rejections(), SubnetElementConfigTest.rejections(),
                MetricsConfigTest.rejections()).flatMap(s -> s).toList()) {
            expectedByTests.addAll(List.of(((String) row.get()[2]).split("\n")));
        }
        List<String> quoted = new ArrayList<>();
        for (String line : doc.split("\n")) {
            if (line.startsWith("t.yaml:")) {
                quoted.add(line);
            }
        }
        assertFalse(quoted.isEmpty());
        for (String line : quoted) {
            assertTrue(expectedByTests.contains(line), "not a message the loader tests expect: " + line);
        }
    }

    /** The fenced block right after the HTML comment {@code <!-- marker -->}. */
    private static String block(String marker) {
        int at = doc.indexOf("<!-- " + marker + " -->");
        assertTrue(at >= 0, "marker " + marker + " not found");
        int start = doc.indexOf('\n', doc.indexOf("```", at)) + 1;
        int end = doc.indexOf("```", start);
        return doc.substring(start, end);
    }
}
