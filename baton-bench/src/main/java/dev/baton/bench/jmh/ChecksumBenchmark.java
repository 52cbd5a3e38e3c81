package dev.baton.bench.jmh;

import dev.baton.codec.InternetChecksum;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link InternetChecksum#checksum} (RFC 1071) over a minimum-size frame's worth (64 B) and a full
 * Ethernet MTU (1500 B) of random bytes in off-heap memory, the way the forwarder meets frames: what
 * completing a partial checksum in software costs when no virtio header carries it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ChecksumBenchmark {

    @State(Scope.Thread)
    public static class Data {
        @Param({"64", "1500"})
        int lengthBytes;
        Arena arena;
        MemorySegment bytes;

        @Setup(Level.Trial)
        public void fill() {
            arena = Arena.ofConfined();
            bytes = arena.allocate(lengthBytes, 64);
            SplittableRandom random = new SplittableRandom(TableKeys.SEED);
            for (long i = 0; i < lengthBytes; i++) {
                bytes.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(256));
            }
            // RFC 1071 §1(3): with the checksum stored in the data, the checksum over it all is 0. Write the
            // checksum of the rest into the first two bytes and check that property once, so the benchmark
            // times a function that computes the right thing.
            bytes.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) 0);
            int checksum = InternetChecksum.checksum(bytes, 0, lengthBytes);
            bytes.set(ValueLayout.JAVA_BYTE, 0, (byte) (checksum >>> 8));
            bytes.set(ValueLayout.JAVA_BYTE, 1, (byte) checksum);
            if (InternetChecksum.checksum(bytes, 0, lengthBytes) != 0) {
                throw new IllegalStateException("the checksum over data carrying its checksum is not 0");
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            arena.close();
        }
    }

    @Benchmark
    public int checksum(Data data) {
        return InternetChecksum.checksum(data.bytes, 0, data.lengthBytes);
    }
}
