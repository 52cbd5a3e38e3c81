package dev.baton.peer;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * One datagram's worth of memory seen three ways, created once and reused for every message: the array
 * the {@link MessageAuthenticator} hashes, the {@link MemorySegment} the flyweights read and write, and the
 * {@link ByteBuffer} a {@code DatagramChannel} sends from and receives into. All three share the bytes.
 * Not thread-safe: one per thread.
 */
public final class PeerMessageBuffer {

    private final byte[] bytes = new byte[PeerHeaderFlyweight.MAX_MESSAGE_LENGTH];
    private final MemorySegment segment = MemorySegment.ofArray(bytes);
    private final ByteBuffer byteBuffer = ByteBuffer.wrap(bytes);

    /** The backing array, {@link PeerHeaderFlyweight#MAX_MESSAGE_LENGTH} bytes. */
    public byte[] bytes() {
        return bytes;
    }

    /** The array as a segment, for the flyweights. */
    public MemorySegment segment() {
        return segment;
    }

    /** The array as a buffer, for channel I/O; the caller sets its position and limit. */
    public ByteBuffer byteBuffer() {
        return byteBuffer;
    }

    /** Capacity in bytes: the largest peer datagram. */
    public int capacity() {
        return bytes.length;
    }
}
