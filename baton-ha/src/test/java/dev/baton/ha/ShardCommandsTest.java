package dev.baton.ha;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShardCommandsTest {

    private final ShardCommands commands = new ShardCommands();
    private final List<String> seen = new ArrayList<>();
    private final ShardCommands.Handler record = (kind, flags, reason, vip, peer, atMs) ->
            seen.add(kind + " " + flags + " " + reason + " " + vip + " " + peer + " " + atMs);

    @Test
    void everyFieldArrivesAsSentAndInOrder() {
        commands.offer(ShardCommands.Kind.FOLLOW, ShardCommands.FORCE, 3, 34, 65_535, 50_000_000L);
        commands.offer(ShardCommands.Kind.FLUSH_UPDATES, 0, 0, 0, 0, -1L);
        assertEquals(2, commands.drain(record, 64));
        assertEquals(List.of("FOLLOW 1 3 34 65535 50000000", "FLUSH_UPDATES 0 0 0 0 -1"), seen);
    }

    @Test
    void theWorkerRunsAtMostItsLimitPerCycle() {
        for (int i = 0; i < 100; i++) {
            commands.offer(ShardCommands.Kind.UNFOLLOW, 0, 0, i, 0, i);
        }
        assertEquals(64, commands.drain(record, 64));
        assertEquals(36, commands.drain(record, 64));
        assertEquals(0, commands.drain(record, 64));
        assertEquals("UNFOLLOW 0 0 99 0 99", seen.getLast());
    }

    /** A worker that does not run: the ring fills, then the agent's backlog, in order; beyond both, counted. */
    @Test
    void aFullRingNeverBlocksTheAgentAndLosesNothingUntilTheBacklogIsFullToo() {
        int total = 2 * ShardCommands.CAPACITY + 5;
        for (int i = 0; i < total; i++) {
            commands.offer(ShardCommands.Kind.DROP_SENDER, 0, 0, 1, i & 0xFFFF, i);
        }
        assertEquals(5, commands.lost());
        assertEquals(ShardCommands.CAPACITY, commands.backlogged());
        int drained = 0;
        while (drained < 2 * ShardCommands.CAPACITY) {
            int n = commands.drain(record, 1_000);
            drained += n;
            commands.moveBacklog(); // the agent's next cycle
            if (n == 0) {
                break;
            }
        }
        assertEquals(2 * ShardCommands.CAPACITY, drained);
        for (int i = 0; i < drained; i++) {
            assertEquals("DROP_SENDER 0 0 1 " + (i & 0xFFFF) + " " + i, seen.get(i));
        }
    }

    @Test
    void aFieldBeyondItsBitsIsABug() {
        assertThrows(IllegalArgumentException.class, () -> commands.offer(ShardCommands.Kind.FOLLOW, 0, 0, 65_536, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> commands.offer(ShardCommands.Kind.FOLLOW, 0, 0, 0, -1, 0));
    }
}
