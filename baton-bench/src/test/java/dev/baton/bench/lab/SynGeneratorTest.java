package dev.baton.bench.lab;

import dev.baton.codec.Ipv4;
import dev.baton.codec.MacAddress;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SynGeneratorTest {

    private static SynGenerator generator(long maxConnections, long confirmAfterMs) {
        return new SynGenerator("bt0001upf", MacAddress.parse("0a:00:00:00:00:01"), MacAddress.parse("0a:00:00:00:00:02"),
                Ipv4.parse("203.0.113.16"), 235, SynGenerator.FIRST_PORT, Ipv4.parse("192.0.2.10"), 8080, maxConnections, 40_000,
                confirmAfterMs, 15, Path.of("/run/baton-lab/bt0001/syn.counters"));
    }

    @Test
    void itsArgumentsParseBackToTheSameGenerator() {
        SynGenerator generator = generator(3_000_000, 1_100);
        assertEquals(generator, SynGenerator.parse(generator.arguments().toArray(String[]::new)));
    }

    @Test
    void theCommandIsBoundedInTimeAndPinnedToTheGeneratorCpu() {
        SynGenerator generator = generator(3_000_000, 1_100);
        assertEquals(Duration.ofMillis(15_000 + 1_100 + 2_000), generator.timeLimit(), "opening, the confirmation delay, 2 s to drain");
        List<String> expected = new ArrayList<>(List.of("timeout", "-s", "KILL", "23", "taskset", "-c", "0", "/jdk/bin/java",
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xms96m", "-Xmx96m", "-XX:+AlwaysPreTouch",
                "-cp", "a.jar:b", "dev.baton.bench.lab.SynGenerator"));
        expected.addAll(generator.arguments());
        assertEquals(expected, generator.command("/jdk/bin/java", "a.jar:b", 0));
    }

    @Test
    void moreConnectionsThanDistinctTuplesOrAConfirmationWithinBatonsSecondAreRefused() {
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class, () -> generator(235L * 64_512 + 1, 1_100));
        assertEquals("--max-connections 15160321 outside 1..15160320 (235 client addresses x 64512 ports)", tooMany.getMessage());
        generator(235L * 64_512, 1_100);
        assertThrows(IllegalArgumentException.class, () -> generator(10, 1_000));
    }

    @Test
    void missingUnknownAndRepeatedArgumentsAreRefused() {
        List<String> arguments = new ArrayList<>(generator(10, 1_100).arguments());
        List<String> missing = new ArrayList<>(arguments.subList(2, arguments.size()));
        assertEquals("--interface is missing", assertThrows(IllegalArgumentException.class,
                () -> SynGenerator.parse(missing.toArray(String[]::new))).getMessage());
        List<String> unknown = new ArrayList<>(arguments);
        unknown.addAll(List.of("--colour", "red"));
        assertEquals("unknown option --colour", assertThrows(IllegalArgumentException.class,
                () -> SynGenerator.parse(unknown.toArray(String[]::new))).getMessage());
        List<String> twice = new ArrayList<>(arguments);
        twice.addAll(List.of("--rate", "1"));
        assertEquals("--rate given twice", assertThrows(IllegalArgumentException.class,
                () -> SynGenerator.parse(twice.toArray(String[]::new))).getMessage());
        List<String> badInterface = new ArrayList<>(arguments);
        badInterface.set(1, "eth0; rm -rf /");
        assertThrows(IllegalArgumentException.class, () -> SynGenerator.parse(badInterface.toArray(String[]::new)));
    }
}
