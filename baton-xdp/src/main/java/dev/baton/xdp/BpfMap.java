package dev.baton.xdp;

import dev.baton.nativeio.KernelConstants;

import java.lang.foreign.MemorySegment;

/**
 * A map of a loaded {@link XdpObject}: its descriptor and sizes. Updates and lookups are single uncaptured libbpf
 * calls on caller-owned segments ({@link Libbpf#mapUpdateElem}): no allocation, safe from any one thread at a time per
 * segment (the kernel serializes the map itself).
 *
 * <p>A per-CPU map's value, as read or written from user space, is one value per possible CPU, each rounded up to
 * 8 bytes ({@link #valueStride()}).
 */
public final class BpfMap {
    private final String name;
    private final int fd;
    private final long keySize;
    private final long valueSize;
    private final int maxEntries;
    private final int valuesPerKey;

    BpfMap(String name, int fd, long keySize, long valueSize, int maxEntries, int valuesPerKey) {
        this.name = name;
        this.fd = fd;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.valuesPerKey = valuesPerKey;
    }

    public String name() {
        return name;
    }

    public int fd() {
        return fd;
    }

    public long keySize() {
        return keySize;
    }

    /** One value's size (one CPU's, for a per-CPU map). */
    public long valueSize() {
        return valueSize;
    }

    public int maxEntries() {
        return maxEntries;
    }

    /** 1, or the number of possible CPUs for a per-CPU map. */
    public int valuesPerKey() {
        return valuesPerKey;
    }

    /** The distance between two CPUs' values in a per-CPU map's buffer (the kernel's round_up(size, 8)). */
    public long valueStride() {
        return (valueSize + 7) & ~7L;
    }

    /** The buffer size {@link #lookup} needs for one key. */
    public long valueBufferSize() {
        return valuesPerKey == 1 ? valueSize : valueStride() * valuesPerKey;
    }

    /** {@code bpf_map_update_elem}: 0 or {@code -errno} ({@code -E2BIG} when full, {@code -EEXIST} with NOEXIST). */
    public int update(MemorySegment key, MemorySegment value, long flags) {
        return Libbpf.mapUpdateElem(fd, key, value, flags);
    }

    /** Writes {@code key} → {@code value}, or throws naming this map. */
    public void put(MemorySegment key, MemorySegment value) {
        Libbpf.orThrow(update(key, value, Libbpf.BPF_ANY), "bpf_map_update_elem(" + name + ")");
    }

    /** Reads the value of {@code key} into {@code value}: false when absent; other failures throw. */
    public boolean lookup(MemorySegment key, MemorySegment value) {
        int result = Libbpf.mapLookupElem(fd, key, value);
        if (result == -KernelConstants.ENOENT) {
            return false;
        }
        Libbpf.orThrow(result, "bpf_map_lookup_elem(" + name + ")");
        return true;
    }

    /** Removes {@code key}: false when it was absent; other failures throw. */
    public boolean delete(MemorySegment key) {
        int result = Libbpf.mapDeleteElem(fd, key);
        if (result == -KernelConstants.ENOENT) {
            return false;
        }
        Libbpf.orThrow(result, "bpf_map_delete_elem(" + name + ")");
        return true;
    }

    @Override
    public String toString() {
        return name + " (fd " + fd + ", " + maxEntries + " entries)";
    }
}
