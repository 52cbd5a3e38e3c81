package dev.baton.bench.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The SYN-rate generator's counters, in a small file both processes map: the generator (its own JVM, pinned to the
 * generator CPU in the upstream's namespace) stores them with release semantics once per step, the benchmark reads
 * them with acquire loads at the ends of its window, with no pipe to parse and no system call on the generator's
 * path. Aeron's counters file is the model.
 *
 * <pre>
 *   offset  field (little-endian longs)
 *        0  MAGIC, written last by the generator when the file is ready
 *        8  state: {@link #STARTING}, {@link #RUNNING}, {@link #FINISHED}, {@link #TIMED_OUT}, {@link #FAILED}
 *       16  SYNs sent (connections opened)
 *       24  handshake ACKs sent
 *       32  confirming segments sent
 *       40  connections awaiting their confirmation
 *       48  steps stopped by a full transmit ring
 *       56  steps held back by a full confirmation ring
 * </pre>
 */
final class SynGeneratorCounters implements AutoCloseable {

    static final long MAGIC = 0x4241_544F_4E53_594EL; // "BATONSYN"
    static final int STARTING = 0;
    static final int RUNNING = 1;
    /** Every connection opened and confirmed: count reached or opening stopped. */
    static final int FINISHED = 2;
    /** Stopped at its time limit with confirmations still due. */
    static final int TIMED_OUT = 3;
    static final int FAILED = 4;

    enum Field {
        STATE(8), SYNS(16), ACKS(24), CONFIRMS(32), PENDING(40), TRANSMIT_RING_FULL(48), CONFIRM_RING_FULL(56);

        final long offset;

        Field(long offset) {
            this.offset = offset;
        }
    }

    static final long BYTES = 64;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final Arena arena;
    private final MemorySegment memory;

    private SynGeneratorCounters(Arena arena, MemorySegment memory) {
        this.arena = arena;
        this.memory = memory;
    }

    /** The generator's side: creates (or truncates) {@code file}, every counter 0, state {@link #STARTING}, then the magic. */
    static SynGeneratorCounters create(Path file) {
        SynGeneratorCounters counters = map(file, true);
        for (Field field : Field.values()) {
            counters.set(field, 0);
        }
        LONG.setRelease(counters.memory, 0L, MAGIC);
        return counters;
    }

    /**
     * The benchmark's side: maps the file the generator created.
     *
     * @throws IllegalStateException when it is missing, too short or not a generator's counters file yet
     */
    static SynGeneratorCounters open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no generator counters file " + file);
        }
        SynGeneratorCounters counters = map(file, false);
        if ((long) LONG.getAcquire(counters.memory, 0L) != MAGIC) {
            counters.close();
            throw new IllegalStateException(file + " is not (yet) a SYN generator's counters file");
        }
        return counters;
    }

    private static SynGeneratorCounters map(Path file, boolean create) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = create
                ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (create) {
                channel.write(java.nio.ByteBuffer.allocate((int) BYTES));
            } else if (channel.size() < BYTES) {
                throw new IllegalStateException(file + " holds " + channel.size() + " bytes, not a generator's " + BYTES);
            }
            return new SynGeneratorCounters(arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, BYTES, arena));
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("cannot map " + file, e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Stores {@code value} with release semantics (the generator). */
    void set(Field field, long value) {
        LONG.setRelease(memory, field.offset, value);
    }

    /** Loads a counter with acquire semantics (the benchmark). */
    long get(Field field) {
        return (long) LONG.getAcquire(memory, field.offset);
    }

    /** The generator's state, e.g. "running". */
    static String stateName(long state) {
        return switch ((int) state) {
            case STARTING -> "starting";
            case RUNNING -> "running";
            case FINISHED -> "finished";
            case TIMED_OUT -> "timed out";
            case FAILED -> "failed";
            default -> "unknown (" + state + ")";
        };
    }

    /** Every counter at one moment (each an acquire load; the generator stores once per step). */
    Snapshot snapshot() {
        return new Snapshot(get(Field.STATE), get(Field.SYNS), get(Field.ACKS), get(Field.CONFIRMS), get(Field.PENDING),
                get(Field.TRANSMIT_RING_FULL), get(Field.CONFIRM_RING_FULL));
    }

    /** The counters read at one moment. */
    record Snapshot(long state, long syns, long acks, long confirms, long pending, long transmitRingFull, long confirmRingFull) {

        /** {@code this - earlier}, counter by counter; the state and pending count are this snapshot's. */
        Snapshot minus(Snapshot earlier) {
            return new Snapshot(state, syns - earlier.syns, acks - earlier.acks, confirms - earlier.confirms, pending,
                    transmitRingFull - earlier.transmitRingFull, confirmRingFull - earlier.confirmRingFull);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
