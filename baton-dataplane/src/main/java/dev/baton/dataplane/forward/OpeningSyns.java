package dev.baton.dataplane.forward;

/**
 * The sequence number (ISN) of the SYN that opened each TCP entry of one worker, so that a later SYN on the same
 * 4-tuple can be told apart: the same ISN is the client sending its SYN again (RFC 9293 §3.8.1: a retransmission
 * carries the same ISN), which must stay with the server chosen for it; another is a new connection on a reused
 * client port.
 *
 * <p>Why it matters: with direct server return the router never sees a server's RST. A connection the server refused
 * (its listener gone, before its check fails) leaves an embryonic entry for 30 s ({@code tcp-syn}), one it reset
 * mid-request (its process killed) an unconfirmed one; a client that reused such a port went back to that server
 * without a scheduling decision: refused while the server was down, and round robin skewed (19 to 21 instead of 20
 * to 20 in the health lab) once it was back.
 *
 * <p>Direct-mapped and bounded: one record per slot of a hash of the 4-tuple, a newer SYN taking the slot of an older
 * one. A record lost that way, or never made (an entry replicated from a peer), is {@link #UNKNOWN}, and the caller
 * keeps the old rule (the SYN stays with the entry's server), so a flood of SYNs can only bring back the old
 * behaviour. Allocation-free; owned by the worker's thread.
 */
final class OpeningSyns {

    /** {@link #compare} results. */
    static final int UNKNOWN = 0;
    static final int SAME = 1;
    static final int ANOTHER = 2;

    /** Records per worker: 4,096 x 17 bytes (68 KiB); a record is needed only while its entry is young. */
    static final int DEFAULT_SLOTS = 4_096;

    private final long[] addresses;
    private final long[] portsAndSequence;
    private final boolean[] used;
    private final int mask;

    OpeningSyns(int slots) {
        if (slots < 1 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two, was " + slots);
        }
        addresses = new long[slots];
        portsAndSequence = new long[slots];
        used = new boolean[slots];
        mask = slots - 1;
    }

    /** Notes the ISN of the SYN that opened (or opened again) the entry of this 4-tuple. */
    void record(int client, int clientPort, int vip, int vipPort, int sequence) {
        int slot = slot(client, clientPort, vip, vipPort);
        addresses[slot] = addresses(client, vip);
        portsAndSequence[slot] = ports(clientPort, vipPort) << 32 | Integer.toUnsignedLong(sequence);
        used[slot] = true;
    }

    /**
     * Whether a SYN with {@code sequence} on this 4-tuple is the recorded one sent again ({@link #SAME}), another
     * connection's ({@link #ANOTHER}), or cannot be told ({@link #UNKNOWN}: no record for this 4-tuple).
     */
    int compare(int client, int clientPort, int vip, int vipPort, int sequence) {
        int slot = slot(client, clientPort, vip, vipPort);
        if (!used[slot] || addresses[slot] != addresses(client, vip)
                || portsAndSequence[slot] >>> 32 != ports(clientPort, vipPort)) {
            return UNKNOWN;
        }
        return (int) portsAndSequence[slot] == sequence ? SAME : ANOTHER;
    }

    private static long addresses(int client, int vip) {
        return (long) client << 32 | Integer.toUnsignedLong(vip);
    }

    private static long ports(int clientPort, int vipPort) {
        return (long) (clientPort & 0xFFFF) << 16 | (vipPort & 0xFFFF);
    }

    private int slot(int client, int clientPort, int vip, int vipPort) {
        long h = (addresses(client, vip) ^ ports(clientPort, vipPort) * 0x9E37_79B9_7F4A_7C15L) * 0xBF58_476D_1CE4_E5B9L;
        return (int) (h >>> 40) & mask;
    }
}
