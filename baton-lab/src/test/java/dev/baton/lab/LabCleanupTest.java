package dev.baton.lab;

import static dev.baton.lab.LabTesting.namespacesWithPrefix;
import static dev.baton.lab.LabTesting.rootLinksWithPrefix;
import static dev.baton.lab.LabTesting.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("lab")
class LabCleanupTest {

    @BeforeEach
    void requireLabSupport() {
        Assumptions.assumeTrue(Lab.isSupported(), Lab.unsupportedReason());
        Assumptions.assumeTrue(Tool.NGINX.isAvailable(), Tool.NGINX.missingMessage());
        Assumptions.assumeTrue(Tool.PYTHON3.isAvailable(), Tool.PYTHON3.missingMessage());
    }

    @Test
    void closeLeavesNoNamespaceBridgeVethProcessOrFileWithThePrefix() {
        Lab lab = Lab.builder().layout(Layout.TWO_SEGMENTS).clients(1).routers(1).servers(2).vip("192.0.2.10").build();
        String prefix = lab.prefix();
        List<ProcessHandle> started = new ArrayList<>();
        try {
            assertTrue(prefix.matches("bt[0-9a-f]{4}"), prefix);
            assertEquals(lab.namespaces().stream().sorted().toList(), namespacesWithPrefix(prefix).stream().sorted().toList());
            assertEquals(List.of(), rootLinksWithPrefix(prefix), "nothing is created in the root namespace");
            String bridges = Netns.ip(lab.switchNamespace(), "-br", "link", "show", "type", "bridge").stdout();
            assertTrue(bridges.contains(prefix + "b"), bridges);
            assertTrue(Files.exists(lab.stateFile()));
            lab.server(0).startNginx();
            lab.server(1).startEchoServer(7000);
            lab.client(0).spawn(List.of("sleep", "600"), lab.workDirectory().resolve("sleep.log"));
            lab.namespaces().forEach(namespace -> started.addAll(Netns.processes(namespace)));
            assertTrue(started.size() >= 3, "nginx, echo server and sleep run in the lab: " + started);
        } finally {
            lab.close();
        }
        assertEquals(List.of(), namespacesWithPrefix(prefix));
        assertEquals(List.of(), rootLinksWithPrefix(prefix));
        for (ProcessHandle process : started) {
            assertFalse(process.isAlive(), "pid " + process.pid() + " survived close()");
        }
        assertFalse(Files.exists(lab.stateFile()));
        assertFalse(Files.exists(lab.workDirectory()));
        lab.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> lab.client(0).exec(Duration.ofSeconds(1), "true"));
    }

    @Test
    void buildThatFailsAfterCreatingTheNetworkRemovesEverything() {
        LabPlan plan = LabPlan.create(LabPlan.randomPrefix(), Layout.TWO_SEGMENTS, 1, 1, 1, List.of("192.0.2.10"), true);
        LabState state = LabState.ownedByCurrentProcess(plan);
        assertTrue(Lab.claim(plan, state));
        List<String> seen = new ArrayList<>();
        LabException failure = assertThrows(LabException.class, () -> Lab.createClaimed(plan, state, created -> {
            seen.addAll(namespacesWithPrefix(plan.prefix()));
            throw new LabException("injected failure in the last step");
        }));
        assertTrue(failure.getMessage().contains("injected failure"), failure.getMessage());
        assertEquals(plan.namespaces().size(), seen.size(), "the network existed when the step failed");
        assertEquals(List.of(), namespacesWithPrefix(plan.prefix()));
        assertFalse(Files.exists(LabState.file(Lab.STATE_DIRECTORY, plan.prefix())));
        assertFalse(Files.exists(LabState.workDirectory(Lab.STATE_DIRECTORY, plan.prefix())));
    }

    @Test
    void fixedPrefixInUseIsRefusedWithoutTouchingTheRunningLab() {
        try (Lab lab = Lab.builder().clients(1).routers(0).servers(0).build()) {
            LabException refused = assertThrows(LabException.class,
                    () -> Lab.builder().prefix(lab.prefix()).clients(1).routers(0).servers(0).build());
            assertTrue(refused.getMessage().contains("in use"), refused.getMessage());
            assertEquals(lab.namespaces().size(), namespacesWithPrefix(lab.prefix()).size());
            assertTrue(LabTesting.ping(lab.client(0), "203.0.113.1").succeeded());
        }
    }

    @Test
    void detachedLabOutlivesItsHandleUntilRemovedByPrefix() {
        Lab lab = Lab.builder().layout(Layout.ONE_SEGMENT).clients(1).routers(1).servers(1).vip("192.0.2.10").build();
        String prefix = lab.prefix();
        int namespaceCount = lab.namespaces().size();
        ProcessHandle nginx;
        try {
            nginx = lab.server(0).startNginx().process().toHandle();
            lab.detach();
            assertFalse(lab.isOwner());
        } finally {
            lab.close();
        }
        try {
            assertTrue(nginx.isAlive(), "a detached lab keeps its processes");
            assertEquals(namespaceCount, namespacesWithPrefix(prefix).size());
            assertFalse(Lab.removeStale().contains(prefix), "a detached lab is not stale");
            LabStatus status = Lab.list().stream().filter(found -> found.prefix().equals(prefix)).findFirst().orElseThrow();
            assertEquals(LabStatus.Owner.DETACHED, status.owner());
            try (Lab attached = Lab.attach(prefix)) {
                assertEquals(lab.server(0).mac(), attached.server(0).mac());
                String page = run(attached.client(0), "curl", "-s", "--max-time", "5", "http://192.0.2.11/").stdout();
                assertEquals("server s0 192.0.2.11\n", page);
            }
            assertEquals(namespaceCount, namespacesWithPrefix(prefix).size(), "closing an attached handle removes nothing");
        } finally {
            assertTrue(Lab.remove(prefix));
        }
        assertEquals(List.of(), namespacesWithPrefix(prefix));
        assertFalse(nginx.isAlive());
        assertFalse(Lab.remove(prefix), "nothing left to remove");
    }

    @Test
    void leftoverNamespacesWithoutAStateFileAreFoundByTheNamingConvention() {
        String prefix = LabPlan.randomPrefix();
        try {
            Netns.add(prefix + "-sw");
            Netns.add(prefix + "-c3");
            LabStatus status = Lab.list().stream().filter(found -> found.prefix().equals(prefix)).findFirst().orElseThrow();
            assertEquals(LabStatus.Owner.UNKNOWN, status.owner());
            assertFalse(status.hasStateFile());
            assertEquals(List.of(prefix + "-c3", prefix + "-sw"), status.namespaces().stream().sorted().toList());
            assertFalse(Lab.removeStale().contains(prefix), "without a state file the owner is unknown, not dead");
            assertTrue(Lab.remove(prefix));
            assertEquals(List.of(), namespacesWithPrefix(prefix));
        } finally {
            Lab.remove(prefix);
        }
    }

    @Test
    void labOfALiveOwnerSurvivesRemoveStale() {
        try (Lab lab = Lab.builder().clients(1).routers(0).servers(0).build()) {
            assertFalse(Lab.removeStale().contains(lab.prefix()));
            assertEquals(lab.namespaces().size(), namespacesWithPrefix(lab.prefix()).size());
            LabStatus status = Lab.list().stream().filter(found -> found.prefix().equals(lab.prefix())).findFirst().orElseThrow();
            assertEquals(LabStatus.Owner.ALIVE, status.owner());
            assertEquals(List.of(), status.missingNamespaces());
            assertEquals(lab.prefix() + "  two-segments  owner " + ProcessHandle.current().pid() + " alive  3 namespaces",
                    status.summary());
        }
    }
}
