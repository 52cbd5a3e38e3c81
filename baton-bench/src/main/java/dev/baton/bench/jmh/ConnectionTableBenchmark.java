package dev.baton.bench.jmh;

import dev.baton.codec.Ipv4Flyweight;
import dev.baton.table.ConnectionListener;
import dev.baton.table.ConnectionTable;
import dev.baton.table.ConnectionTimeouts;
import dev.baton.table.TcpState;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The connection table's per-packet operations on a table holding 10 million connections: a lookup of a
 * present key, a lookup of an absent key, and lookup plus {@link ConnectionTable#touch} (what the forwarder
 * does for every segment of an established connection).
 *
 * <p>Keys are random (client address, port) pairs ({@link TableKeys}), looked up in a shuffled order, so
 * nearly every lookup misses the CPU caches: 10 million entries are 384 MiB of slots. The lookups are the
 * forwarding path's {@code find(..., nowMs)}, which also checks expiry; the time stands still, so nothing
 * expires and the table stays full.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx16g"})
public class ConnectionTableBenchmark {

    /** The table size of every table benchmark: the target of 10M concurrent connections. */
    static final int ENTRIES = 10_000_000;
    static final int VIP = 0xC000_020A;        // 192.0.2.10
    static final int VIP_PORT = 443;
    static final int PROTOCOL = Ipv4Flyweight.PROTOCOL_TCP;
    static final long NOW_MS = 1_000_000;
    /** A fixed hash seed: the same slot layout on every run. */
    static final long HASH_SEED = 0x0BA7_0000_0000_0001L;

    /** A table filled with {@link #ENTRIES} established connections, and the keys to look up. */
    @State(Scope.Thread)
    public static class PrefilledTable {
        ConnectionTable table;
        /** The stored keys, shuffled. */
        long[] presentKeys;
        /** As many keys that are not stored. */
        long[] absentKeys;
        int presentCursor;
        int absentCursor;

        @Setup(Level.Trial)
        public void fill() {
            table = new ConnectionTable(ENTRIES, ConnectionTimeouts.defaults(), ConnectionListener.NONE, HASH_SEED);
            presentKeys = TableKeys.keys(0, ENTRIES);
            for (long key : presentKeys) {
                insert(table, key, 0, TcpState.ESTABLISHED);
            }
            TableKeys.shuffled(presentKeys);
            absentKeys = TableKeys.keys(ENTRIES, ENTRIES);
            // A benchmark of lookups that find the wrong thing would be worthless: check every key once.
            for (long key : presentKeys) {
                if (find(table, key) < 0) {
                    throw new IllegalStateException("stored key not found: " + Long.toHexString(key));
                }
            }
            for (long key : absentKeys) {
                if (find(table, key) >= 0) {
                    throw new IllegalStateException("absent key found: " + Long.toHexString(key));
                }
            }
            if (table.size() != ENTRIES) {
                throw new IllegalStateException("table holds " + table.size() + " entries, not " + ENTRIES);
            }
        }

        long nextPresentKey() {
            long key = presentKeys[presentCursor];
            presentCursor = presentCursor + 1 == presentKeys.length ? 0 : presentCursor + 1;
            return key;
        }

        long nextAbsentKey() {
            long key = absentKeys[absentCursor];
            absentCursor = absentCursor + 1 == absentKeys.length ? 0 : absentCursor + 1;
            return key;
        }

        @TearDown(Level.Iteration)
        public void checkUnchanged() {
            if (table.size() != ENTRIES || table.insertFailuresFull() != 0) {
                throw new IllegalStateException("the table changed during a lookup benchmark: size " + table.size());
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            table.close();
        }
    }

    @Benchmark
    public long findPresentKey(PrefilledTable state) {
        return find(state.table, state.nextPresentKey());
    }

    @Benchmark
    public long findAbsentKey(PrefilledTable state) {
        return find(state.table, state.nextAbsentKey());
    }

    /** The established-connection hot path: find the entry, then refresh it with the segment's flags. */
    @Benchmark
    public long findAndTouchPresentKey(PrefilledTable state) {
        long slot = find(state.table, state.nextPresentKey());
        state.table.touch(slot, TcpState.FLAG_ACK, NOW_MS);
        return slot;
    }

    static long find(ConnectionTable table, long key) {
        return table.find(PROTOCOL, TableKeys.clientAddress(key), TableKeys.clientPort(key), VIP, VIP_PORT, NOW_MS);
    }

    static long insert(ConnectionTable table, long key, int serverId, int state) {
        return table.insert(PROTOCOL, TableKeys.clientAddress(key), TableKeys.clientPort(key), VIP, VIP_PORT,
                0, serverId, state, NOW_MS);
    }
}
