package dev.baton.bench.jmh;

import dev.baton.table.ConnectionListener;
import dev.baton.table.ConnectionTable;
import dev.baton.table.ConnectionTimeouts;
import dev.baton.table.TcpState;

import javax.management.JMException;
import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.baton.bench.jmh.ConnectionTableBenchmark.ENTRIES;
import static dev.baton.bench.jmh.ConnectionTableBenchmark.HASH_SEED;

/**
 * Memory per connection of a 10-million-entry connection table, three ways: what the table says it holds
 * ({@link ConnectionTable#memoryBytes()} / {@link ConnectionTable#capacity()}), what the JVM's Native Memory
 * Tracking saw the table's {@code Arena} allocate (an off-heap {@code Arena} allocation is a malloc that NMT
 * files under "Other"; it is not counted in the {@code direct} buffer pool), and how much the process's
 * resident set grew while the table was made and filled ({@code VmRSS} in {@code /proc/self/status},
 * proc(5)). The target is at most 64 bytes per entry.
 *
 * <p>Run with {@code java -XX:NativeMemoryTracking=summary -cp benchmarks.jar
 * dev.baton.bench.jmh.TableMemoryReport} (without NMT that line is skipped); prints a few lines and exits.
 * Not a JMH benchmark: memory is a figure, not a rate.
 */
public final class TableMemoryReport {

    private TableMemoryReport() {
    }

    /** The NMT summary line of the "Other" category, scale KB (hotspot's nmt/memReporter). */
    private static final Pattern NMT_OTHER = Pattern.compile("-\\s+Other \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

    public static void main(String[] args) throws IOException, JMException {
        long[] keys = TableKeys.keys(0, ENTRIES);
        long nativeBefore = nativeOtherCommittedBytes();
        long residentBefore = residentBytes();

        try (ConnectionTable table = new ConnectionTable(ENTRIES, ConnectionTimeouts.defaults(), ConnectionListener.NONE, HASH_SEED)) {
            long nativeAllocated = nativeBefore < 0 ? -1 : nativeOtherCommittedBytes() - nativeBefore;
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
            if (nativeAllocated >= 0) {
                System.out.printf("native memory allocated (NMT):      %,d B = %.2f B per entry%n",
                        nativeAllocated, (double) nativeAllocated / table.capacity());
            } else {
                System.out.println("native memory allocated (NMT):      not measured (run with -XX:NativeMemoryTracking=summary)");
            }
            System.out.printf("resident set growth, allocated:     %,d B = %.2f B per entry%n",
                    residentAfterAllocation, (double) residentAfterAllocation / table.capacity());
            System.out.printf("resident set growth, filled:        %,d B = %.2f B per entry%n",
                    residentAfterFill, (double) residentAfterFill / table.capacity());
            System.out.printf("target: <= 64 B per entry: %s%n",
                    Math.max(nativeAllocated, residentAfterFill) <= 64L * table.capacity() ? "met" : "NOT met");
        }
    }

    /**
     * Bytes committed in NMT's "Other" category (where malloc'ed off-heap memory such as an {@code Arena}'s
     * goes), through the {@code VM.native_memory summary} diagnostic command; -1 when NMT is off.
     */
    private static long nativeOtherCommittedBytes() throws JMException {
        String summary = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                new Object[]{new String[]{"summary", "scale=KB"}}, new String[]{String[].class.getName()});
        Matcher other = NMT_OTHER.matcher(summary);
        return other.find() ? Long.parseLong(other.group(2)) * 1024 : -1;
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
