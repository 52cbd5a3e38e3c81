package dev.baton.bench.jmh;

import java.util.SplittableRandom;

/**
 * Connection-table keys for the benchmarks: distinct, random-looking (client address, client port) pairs,
 * reproducible from a seed.
 *
 * <p>Key {@code i} is a seeded bijection of {@code i} onto 48 bits (multiplications by odd constants and
 * xor-shifts, each invertible modulo 2<sup>48</sup>): distinct indexes give distinct keys, so ten million
 * keys need no de-duplication pass, and the keys of indexes {@code [n, 2n)} are guaranteed absent from a table
 * filled with those of {@code [0, n)}. The high 32 bits are the client address, the low 16 the client port.
 * Addresses span the whole IPv4 space: they are only table keys, nothing is ever sent to them.
 */
final class TableKeys {

    /** The fixed seed of every benchmark's keys: runs are comparable. */
    static final long SEED = 0x5EED_BA70_2025L;

    private static final long MASK_48 = (1L << 48) - 1;

    private TableKeys() {
    }

    /** Key {@code index} (0 &le; index &lt; 2<sup>48</sup>) for {@code seed}: address in bits 47..16, port in 15..0. */
    static long key(long index, long seed) {
        long x = (index ^ seed) & MASK_48;
        x = (x * 0x9E37_79B9_7F4A_7C15L) & MASK_48;
        x ^= x >>> 23;
        x = (x * 0xBF58_476D_1CE4_E5B9L) & MASK_48;
        x ^= x >>> 29;
        return x;
    }

    static int clientAddress(long key) {
        return (int) (key >>> 16);
    }

    static int clientPort(long key) {
        return (int) (key & 0xFFFF);
    }

    /** Keys of indexes {@code [first, first + count)}, in index order. */
    static long[] keys(long first, int count) {
        long[] keys = new long[count];
        for (int i = 0; i < count; i++) {
            keys[i] = key(first + i, SEED);
        }
        return keys;
    }

    /** Shuffles {@code keys} in place (Fisher-Yates with a fixed seed): a lookup order unrelated to insertion. */
    static long[] shuffled(long[] keys) {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = keys.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long swap = keys[i];
            keys[i] = keys[j];
            keys[j] = swap;
        }
        return keys;
    }
}
