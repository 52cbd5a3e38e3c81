package dev.baton.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabStateTest {

    private static LabPlan plan() {
        return LabPlan.create("bt3fa2", Layout.ONE_SEGMENT, 2, 1, 3, List.of("192.0.2.10", "192.0.2.20"), false);
    }

    @Test
    void stateFileRoundTripsEveryField() {
        LabState state = LabState.ownedByCurrentProcess(plan()).withProcess(4242, "nginx -p /x");
        LabState parsed = LabState.parse(state.format());
        assertEquals(state, parsed);
        assertEquals(plan(), parsed.plan());
        assertEquals(List.of("4242 nginx -p /x"), parsed.processes());
    }

    @Test
    void labOwnedByThisProcessIsNotStale() {
        assertFalse(LabState.ownedByCurrentProcess(plan()).isStale());
    }

    @Test
    void labWhoseOwnerExitedIsStale() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        assertTrue(exited.waitFor(10, TimeUnit.SECONDS));
        LabState mine = LabState.ownedByCurrentProcess(plan());
        LabState orphan = new LabState(mine.prefix(), exited.pid(), mine.ownerStartMs(), mine.layout(), 2, 1, 3, mine.vips(),
                false, mine.namespaces(), List.of());
        assertTrue(orphan.isStale());
    }

    @Test
    void recycledOwnerPidWithAnotherStartTimeIsStale() {
        LabState mine = LabState.ownedByCurrentProcess(plan());
        long anHourEarlier = mine.ownerStartMs() - Duration.ofHours(1).toMillis();
        LabState recycled = new LabState(mine.prefix(), mine.ownerPid(), anHourEarlier, mine.layout(), 2, 1, 3, mine.vips(),
                false, mine.namespaces(), List.of());
        assertTrue(recycled.isStale());
    }

    @Test
    void detachedLabIsNeverStale() {
        LabState detached = LabState.ownedByCurrentProcess(plan()).detached();
        assertEquals(0, detached.ownerPid());
        assertTrue(detached.isDetached());
        assertFalse(detached.isStale());
    }

    @Test
    void secondClaimOfAPrefixFailsAndLeavesTheFirstIntact(@TempDir Path directory) throws Exception {
        LabState first = LabState.ownedByCurrentProcess(plan());
        assertTrue(first.claim(directory));
        LabState second = first.withProcess(1, "intruder");
        assertFalse(second.claim(directory));
        assertEquals(first, LabState.read(LabState.file(directory, "bt3fa2")));
        try (var files = Files.list(directory)) {
            assertEquals(List.of(LabState.file(directory, "bt3fa2")), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void rewriteReplacesTheStateFile(@TempDir Path directory) throws Exception {
        LabState first = LabState.ownedByCurrentProcess(plan());
        assertTrue(first.claim(directory));
        LabState updated = first.withProcess(77, "python3 echo");
        updated.rewrite(directory);
        assertEquals(updated, LabState.read(LabState.file(directory, "bt3fa2")));
        assertEquals(List.of(LabState.file(directory, "bt3fa2")), LabState.files(directory));
    }

    @Test
    void incompleteOrUnknownStateFileIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> LabState.parse("version=1\nprefix=bt1\n"));
        assertThrows(IllegalArgumentException.class, () -> LabState.parse("version=2\nprefix=bt1\nownerPid=1\n"
                + "layout=one-segment\nclients=1\nrouters=1\nservers=1\n"));
        assertThrows(IllegalArgumentException.class, () -> LabState.parse("colour=blue\n"));
        assertThrows(IllegalArgumentException.class, () -> LabState.parse("no equals sign\n"));
    }
}
