package dev.baton.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The files users copy from must load as they are. */
class ExamplesTest {

    /** The repository's examples directory, seen from the module directory where tests run. */
    static final Path EXAMPLES = Path.of("..", "examples");

    @Test
    void everyExampleLoadsWithoutProblems() throws IOException, ConfigException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(EXAMPLES)) {
            files = listing.filter(path -> path.toString().endsWith(".yaml") || path.toString().endsWith(".yml")).sorted().toList();
        }
        assertTrue(files.size() >= 2, "examples found: " + files);
        for (Path file : files) {
            assertFalse(ConfigLoader.load(file).services().isEmpty(), file.toString());
        }
    }

    @Test
    void oneArmKeepsEverythingOnOneSegment() throws ConfigException {
        BatonConfig config = ConfigLoader.load(EXAMPLES.resolve("one-arm.yaml"));

        assertEquals(1, config.interfaces().size());
        InterfaceConfig only = config.interfaces().getFirst();
        assertEquals(InterfaceConfig.InterfaceRole.BOTH, only.role());
        assertEquals("192.0.2.0/24", only.address().subnetText());
        for (ServiceConfig service : config.services()) {
            assertTrue(only.address().contains(service.vip()));
            service.servers().forEach(server -> assertTrue(only.address().contains(server.address())));
        }
    }

    @Test
    void twoArmHasAUdpServiceAndAPersistentWlcService() throws ConfigException {
        BatonConfig config = ConfigLoader.load(EXAMPLES.resolve("two-arm.yaml"));

        assertEquals(List.of("192.0.2.0/24", "198.51.100.0/24"),
                config.interfaces().stream().map(entry -> entry.address().subnetText()).toList());
        assertEquals(InterfaceConfig.InterfaceRole.CLIENT, config.interfaces().get(0).role());
        assertEquals(InterfaceConfig.InterfaceRole.SERVER, config.interfaces().get(1).role());
        assertTrue(config.services().stream().anyMatch(service -> service.protocol() == ServiceConfig.Protocol.UDP));
        assertTrue(config.services().stream().anyMatch(service -> service.scheduler() == ServiceConfig.SchedulerKind.WLC
                && service.persistence().equals(Duration.ofSeconds(300))));
    }

    @Test
    void haPairTakesOppositeRolesAndAgreesOnWhatItReplicates() throws ConfigException {
        BatonConfig primary = ConfigLoader.load(EXAMPLES.resolve("ha-primary.yaml"));
        BatonConfig backup = ConfigLoader.load(EXAMPLES.resolve("ha-backup.yaml"));

        assertEquals(primary.servicesDigest(), backup.servicesDigest());
        HighAvailabilitySettings primaryHa = primary.highAvailability().orElseThrow();
        HighAvailabilitySettings backupHa = backup.highAvailability().orElseThrow();
        PeerSettings primarysPeer = primaryHa.peers().getFirst();
        PeerSettings backupsPeer = backupHa.peers().getFirst();
        assertEquals(backup.router().id(), primarysPeer.name());
        assertEquals(backupHa.routerNumber(), primarysPeer.routerNumber());
        assertEquals(primary.router().id(), backupsPeer.name());
        assertEquals(primaryHa.routerNumber(), backupsPeer.routerNumber());
        assertEquals(2, primarysPeer.links().size());
        // Each link seen from the other end.
        assertEquals(primarysPeer.links().stream().map(link -> new PeerLinkSettings(link.peerAddress(), link.localAddress())).toList(),
                backupsPeer.links());
        for (int i = 0; i < primary.services().size(); i++) {
            ServiceConfig mine = primary.services().get(i);
            ServiceConfig theirs = backup.services().get(i);
            assertEquals(mine.name(), theirs.name());
            assertTrue(mine.role() != theirs.role(), mine.name() + " has one primary and one backup");
        }
        // One VIP each when all is well.
        assertTrue(primary.services().stream().anyMatch(service -> service.role() == ServiceConfig.ServiceRole.PRIMARY));
        assertTrue(backup.services().stream().anyMatch(service -> service.role() == ServiceConfig.ServiceRole.PRIMARY));
        assertTrue(primary.highAvailability().isPresent() && ConfigLoader.load(EXAMPLES.resolve("two-arm.yaml")).highAvailability().isEmpty());
    }
}
