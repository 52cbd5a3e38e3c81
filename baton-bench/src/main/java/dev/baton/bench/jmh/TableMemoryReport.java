package dev.baton.bench.jmh;

import dev.baton.table.ConnectionListener;
import dev.baton.table.ConnectionTable;
import dev.baton.table.ConnectionTimeouts;
import dev.baton.table.TcpState;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.baton.bench.jmh.ConnectionTableBenchmark.ENTRIES;
import static dev.baton.bench.jmh.ConnectionTableBenchmark.HASH_SEED;

/**
 * Memory per connection of a 10-million-entry connection table, three ways: what the table says it holds
 * ({@link ConnectionTable#memoryBytes()} / {@link ConnectionTable#capacity()}), what the JVM reserved for its
 * off-heap allocation (the {@code direct} buffer pool, which counts {@code Arena} allocations), and how much
 * the process's resident set grew while the table was made and filled ({@code VmRSS} in
 * {@code /proc/self/status}, proc(5)). The target is at most 64 bytes per entry.
 *
 * <p>Run with {@code java -Xmx16g -cp benchmarks.jar dev.baton.bench.jmh.TableMemoryReport}; prints a few
 * lines and exits. Not a JMH benchmark: memory is a figure, not a rate.
 */
public final class TableMemoryReport {

    private TableMemoryReport() {
    }

    public static void main(String[] args) throws IOException {
        long[] keys = TableKeys.keys(0, ENTRIES);
        BufferPoolMXBean direct = directPool();
        long directBefore = direct.getMemoryUsed();
        long residentBefore = residentBytes();

        try (ConnectionTable table = new ConnectionTable(ENTRIES, ConnectionTimeouts.defaults(), ConnectionListener.NONE, HASH_SEED)) {
            long directReserved = direct.getMemoryUsed() - directBefore;
            long residentAfterAllocation = residentBytes() - residentBefore;
            for (long key : keys) {
                if (ConnectionTableBenchmark.insert(table, key, 0, TcpState.ESTABLISHED) < 0) {
                    throw new IllegalStateException("insert refused at size " + table.size());
                }
            }
            long residentAfterFill = residentBytes() - residentBefore;

            System.out.printf("connection table: capacity %,d, %,d entries stored, %,d slots of %d B (load factor %.3f)%n",
                    table.capacity(), table.size(), table.slotCount(), table.memoryBytes() / table.slotCount(),
                    (double) table.size() / table.slotCount());
            System.out.printf("memoryBytes()/capacity():           %,d B / %,d = %.2f B per entry%n",
                    table.memoryBytes(), table.capacity(), (double) table.memoryBytes() / table.capacity());
            System.out.printf("direct memory reserved (Arena):     %,d B = %.2f B per entry%n",
                    directReserved, (double) directReserved / table.capacity());
            System.out.printf("resident set growth, allocated:     %,d B = %.2f B per entry%n",
                    residentAfterAllocation, (double) residentAfterAllocation / table.capacity());
            System.out.printf("resident set growth, filled:        %,d B = %.2f B per entry%n",
                    residentAfterFill, (double) residentAfterFill / table.capacity());
            System.out.printf("target: <= 64 B per entry: %s%n",
                    Math.max(directReserved, residentAfterFill) <= 64L * table.capacity() ? "met" : "NOT met");
        }
    }

    private static BufferPoolMXBean directPool() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                return pool;
            }
        }
        throw new IllegalStateException("this JVM has no 'direct' buffer pool bean");
    }

    /** The process's resident set size, from the {@code VmRSS:} line of {@code /proc/self/status} (in kB). */
    private static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                String[] fields = line.trim().split("\\s+");
                return Long.parseLong(fields[1]) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS line in /proc/self/status");
    }
}
