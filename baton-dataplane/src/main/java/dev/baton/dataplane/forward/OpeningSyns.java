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
 * <p>Bounded: two-way set-associative on a hash of the 4-tuple; a record is forgotten when its connection's FIN or RST
 * comes (a SYN on a closing entry is a new connection anyway), and a new one takes an empty way, else the older
 * record's. A record lost that way, or never made (an entry replicated from a peer), is {@link #UNKNOWN}, and the
 * caller keeps the old rule (the SYN stays with the entry's server), so a flood of SYNs can only bring back the old
 * behaviour. (Direct-mapped, with no forgetting, 4,096 records lost about one in ten of the health lab's: a refused
 * port reused 200 connections later was still sent to the dead server.) Allocation-free; owned by the worker's thread.
 */
final class OpeningSyns {

    /** {@link #compare} results. */
    static final int UNKNOWN = 0;
    static final int SAME = 1;
    static final int ANOTHER = 2;

    /** Records per worker: 8,192 x 25 bytes (200 KiB); a record is needed only while its connection has not closed. */
    static final int DEFAULT_RECORDS = 8_192;

    private final long[] addresses;
    private final long[] portsAndSequence;
    private final long[] recordedMs;
    private final boolean[] used;
    private final int setMask;

    /** @param records how many ISNs are kept at most: a power of two, at least 2 (one set of two ways) */
    OpeningSyns(int records) {
        if (records < 2 || Integer.bitCount(records) != 1) {
            throw new IllegalArgumentException("records must be a power of two of at least 2, was " + records);
        }
        addresses = new long[records];
        portsAndSequence = new long[records];
        recordedMs = new long[records];
        used = new boolean[records];
        setMask = records / 2 - 1;
    }

    /** Notes the ISN of the SYN that opened (or opened again) the entry of this 4-tuple, at {@code nowMs}. */
    void record(int client, int clientPort, int vip, int vipPort, int sequence, long nowMs) {
        int way = find(client, clientPort, vip, vipPort);
        if (way < 0) {
            int first = set(client, clientPort, vip, vipPort) * 2;
            way = !used[first] ? first : !used[first + 1] ? first + 1
                    : recordedMs[first] <= recordedMs[first + 1] ? first : first + 1;
        }
        addresses[way] = addresses(client, vip);
        portsAndSequence[way] = ports(clientPort, vipPort) << 32 | Integer.toUnsignedLong(sequence);
        recordedMs[way] = nowMs;
        used[way] = true;
    }

    /** Forgets this 4-tuple's record: its connection is closing (a FIN or RST from the client). */
    void forget(int client, int clientPort, int vip, int vipPort) {
        int way = find(client, clientPort, vip, vipPort);
        if (way >= 0) {
            used[way] = false;
        }
    }

    /**
     * Whether a SYN with {@code sequence} on this 4-tuple is the recorded one sent again ({@link #SAME}), another
     * connection's ({@link #ANOTHER}), or cannot be told ({@link #UNKNOWN}: no record for this 4-tuple).
     */
    int compare(int client, int clientPort, int vip, int vipPort, int sequence) {
        int way = find(client, clientPort, vip, vipPort);
        if (way < 0) {
            return UNKNOWN;
        }
        return (int) portsAndSequence[way] == sequence ? SAME : ANOTHER;
    }

    /** The way holding this 4-tuple's record, or -1. */
    private int find(int client, int clientPort, int vip, int vipPort) {
        int first = set(client, clientPort, vip, vipPort) * 2;
        long a = addresses(client, vip);
        long p = ports(clientPort, vipPort);
        for (int way = first; way < first + 2; way++) {
            if (used[way] && addresses[way] == a && portsAndSequence[way] >>> 32 == p) {
                return way;
            }
        }
        return -1;
    }

    private static long addresses(int client, int vip) {
        return (long) client << 32 | Integer.toUnsignedLong(vip);
    }

    private static long ports(int clientPort, int vipPort) {
        return (long) (clientPort & 0xFFFF) << 16 | (vipPort & 0xFFFF);
    }

    private int set(int client, int clientPort, int vip, int vipPort) {
        long h = (addresses(client, vip) ^ ports(clientPort, vipPort) * 0x9E37_79B9_7F4A_7C15L) * 0xBF58_476D_1CE4_E5B9L;
        return (int) (h >>> 40) & setMask;
    }
}
