package dev.baton.bench.jmh;

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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

import static dev.baton.bench.jmh.ConnectionTableBenchmark.ENTRIES;
import static dev.baton.bench.jmh.ConnectionTableBenchmark.HASH_SEED;

/**
 * Inserts into an empty connection table until it holds 10 million connections: one iteration fills a fresh
 * table once, and the score is the mean time per insert (one operation = one insert).
 *
 * <p>A time-boxed throughput mode cannot stop at exactly 10 million: past it every insert would meet a full
 * table and measure the capacity policy instead. So each iteration is a single shot of {@link
 * ConnectionTableBenchmark#ENTRIES} inserts into a table made just before it ({@code @Setup(Level.Iteration)}).
 * The mean covers the whole fill, from an empty table to the load factor of 0.6 at capacity.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx16g"})
public class ConnectionTableInsertBenchmark {

    /** The keys to insert, and a fresh empty table per iteration. */
    @State(Scope.Thread)
    public static class EmptyTable {
        long[] keys;
        ConnectionTable table;

        @Setup(Level.Trial)
        public void makeKeys() {
            keys = TableKeys.keys(0, ENTRIES);
        }

        @Setup(Level.Iteration)
        public void makeTable() {
            table = new ConnectionTable(ENTRIES, ConnectionTimeouts.defaults(), ConnectionListener.NONE, HASH_SEED);
        }

        @TearDown(Level.Iteration)
        public void checkFullAndClose() {
            try {
                if (table.size() != ENTRIES || table.inserts() != ENTRIES || table.insertFailuresFull() != 0) {
                    throw new IllegalStateException("expected " + ENTRIES + " inserts, table holds " + table.size()
                            + " after " + table.inserts() + " inserts and " + table.insertFailuresFull() + " refusals");
                }
            } finally {
                table.close();
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(ENTRIES)
    public long insertIntoEmptyTableUpToTenMillion(EmptyTable state) {
        ConnectionTable table = state.table;
        long lastSlot = 0;
        for (long key : state.keys) {
            lastSlot = ConnectionTableBenchmark.insert(table, key, (int) key & 0xFF, TcpState.SYN_RECEIVED);
        }
        return lastSlot;
    }
}
