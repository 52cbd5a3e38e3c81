package dev.baton.peer;

/**
 * The receive side's entry point: given a datagram's bytes, decides {@link Verdict#ACCEPTED} or why it is
 * rejected, and counts the verdict. Only an accepted message changes state (its sender's
 * {@link ReplayWindow}); a rejected one changes nothing but its counter, whatever it holds.
 *
 * <p>Checks run cheapest first, so garbage costs no crypto: length, magic, version, type, exact length,
 * payload shape, sender; then the HMAC tag under the key of the pair (claimed sender, this router); and only
 * for an authentic message the destination, the incarnation and the replay window (RFC 4303 §3.4.3 also
 * verifies integrity before it updates the window).
 *
 * <p>The key is chosen by the claimed sender id, so a message verifies only if it was
 * signed by a holder of that pair's key: a router holding the (A, C) key cannot pass for A at B, nor for B
 * anywhere, and a message for B relayed to C fails C's (A, C) key ({@link Verdict#BAD_TAG}). The Destination
 * Router Id is checked after the tag because an unauthenticated field must decide nothing (a forged
 * destination could otherwise pick the verdict counted); an authentic message for another router is
 * {@link Verdict#WRONG_DESTINATION}, rejected before the replay window so it changes no state. After
 * {@link Verdict#ACCEPTED}, {@link #header()} is wrapped on the message, and the payload flyweight of
 * {@link #type()} may be wrapped at {@code header().payloadOffset()} for {@code header().payloadLength()}
 * bytes: it is valid.
 *
 * <p>Rejections are only counted here; logging them, rate-limited, is the receive agent's job. Not
 * thread-safe: owned by the receive thread. Allocates nothing.
 */
public final class MessageVerifier {

    private final int routerId;
    private final MessageAuthenticator[] authenticators;
    private final int[] peerRouterIds;
    private final ReplayWindow[] windows;
    private final VerdictCounters counters;
    private final PeerHeaderFlyweight header = new PeerHeaderFlyweight();
    private MessageType type;
    private int senderIndex = -1;

    /**
     * @param routerId      this router's id: the only Destination Router Id accepted
     * @param secret        the shared secret the pair keys are derived from ({@link PeerKey#pairKey})
     * @param peerRouterIds the router ids of the configured peers (not this router's own); a message from
     *                      any other id is {@link Verdict#UNKNOWN_SENDER}
     * @throws IllegalArgumentException when a peer id is this router's own or given twice
     */
    public MessageVerifier(int routerId, PeerKey secret, int[] peerRouterIds, VerdictCounters counters) {
        this.routerId = routerId;
        this.peerRouterIds = peerRouterIds.clone();
        this.authenticators = MessageAuthenticator.forPairs(secret, routerId, this.peerRouterIds);
        this.counters = counters;
        windows = new ReplayWindow[this.peerRouterIds.length];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = new ReplayWindow();
        }
    }

    /** Checks the first {@code length} bytes of {@code buffer}, counts the verdict and returns it. Never throws. */
    public Verdict verify(PeerMessageBuffer buffer, int length) {
        Verdict verdict = check(buffer, length);
        counters.increment(verdict);
        return verdict;
    }

    private Verdict check(PeerMessageBuffer buffer, int length) {
        type = null;
        senderIndex = -1;
        if (length < PeerHeaderFlyweight.MIN_MESSAGE_LENGTH || length > buffer.capacity()) {
            return Verdict.BAD_LENGTH;
        }
        header.wrap(buffer.segment(), 0, length);
        if (header.magic() != PeerHeaderFlyweight.MAGIC) {
            return Verdict.BAD_MAGIC;
        }
        if (header.version() != PeerHeaderFlyweight.VERSION) {
            return Verdict.BAD_VERSION;
        }
        MessageType received = MessageType.fromCode(header.typeCode());
        if (received == null) {
            return Verdict.BAD_TYPE;
        }
        if (!header.valid()) {
            return Verdict.BAD_LENGTH;
        }
        if (!received.payloadShapeValid(buffer.segment(), header.payloadOffset(), header.payloadLength())) {
            return Verdict.BAD_PAYLOAD;
        }
        int sender = indexOf(header.senderRouterId());
        if (sender < 0) {
            return Verdict.UNKNOWN_SENDER;
        }
        if (!authenticators[sender].verify(buffer.bytes(), 0, header.tagOffset())) {
            return Verdict.BAD_TAG;
        }
        if (header.destinationRouterId() != routerId) {
            return Verdict.WRONG_DESTINATION;
        }
        ReplayWindow window = windows[sender];
        long incarnation = header.incarnation();
        long sequence = header.sequence();
        Verdict fresh = window.check(incarnation, sequence);
        if (fresh != Verdict.ACCEPTED) {
            return fresh;
        }
        window.record(incarnation, sequence);
        type = received;
        senderIndex = sender;
        return Verdict.ACCEPTED;
    }

    private int indexOf(int routerId) {
        for (int i = 0; i < peerRouterIds.length; i++) {
            if (peerRouterIds[i] == routerId) {
                return i;
            }
        }
        return -1;
    }

    /** The last accepted message's header (meaningful only right after {@link Verdict#ACCEPTED}). */
    public PeerHeaderFlyweight header() {
        return header;
    }

    /** The last accepted message's type, {@code null} after a rejection. */
    public MessageType type() {
        return type;
    }

    /** The replay window of the configured peer {@code routerId}, or {@code null} when it is not one. */
    public ReplayWindow window(int routerId) {
        int index = indexOf(routerId);
        return index < 0 ? null : windows[index];
    }

    /** Index of the last accepted message's sender in the configured peers, -1 after a rejection. */
    public int senderIndex() {
        return senderIndex;
    }

    /** This router's id: the Destination Router Id accepted. */
    public int routerId() {
        return routerId;
    }

    public VerdictCounters counters() {
        return counters;
    }
}
