package dev.baton.peer;

/**
 * The send side: stamps the header of a message whose payload is already written, gives it the next
 * sequence number and signs it. One per router, owned by the sending thread; allocates nothing.
 *
 * <p>Use: wrap a payload flyweight at {@code buffer.segment()}, offset {@link PeerHeaderFlyweight#PAYLOAD_OFFSET},
 * write the payload, then {@link #compose} with its length and send the returned number of bytes. A
 * message sent over several links is composed once per link: each copy then has its own sequence, so
 * every link's heartbeats are authenticated and counted on their own, and a datagram duplicated by the
 * network is rejected as {@link Verdict#REPLAYED}.
 */
public final class MessageComposer {

    private final int routerId;
    private final long incarnation;
    private final MessageAuthenticator authenticator;
    private final PeerHeaderFlyweight header = new PeerHeaderFlyweight();
    private long nextSequence = 1;

    /**
     * @param routerId    this router's id, as its peers have it configured
     * @param incarnation this run's {@link Incarnation}
     */
    public MessageComposer(int routerId, long incarnation, MessageAuthenticator authenticator) {
        this.routerId = routerId;
        this.incarnation = incarnation;
        this.authenticator = authenticator;
    }

    /**
     * Writes the header for a {@code type} message with {@code payloadLength} bytes of payload already in
     * place, and the tag after the payload.
     *
     * @return the datagram's length in bytes
     * @throws IllegalArgumentException when the payload does not fit one datagram (a caller bug: batch
     *                                  sizes come from {@link MessageType#maxRecords()})
     */
    public int compose(PeerMessageBuffer buffer, MessageType type, int flags, int payloadLength) {
        if (payloadLength < 0 || payloadLength > PeerHeaderFlyweight.MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("payload of " + payloadLength + " bytes does not fit a peer datagram");
        }
        int length = PeerHeaderFlyweight.HEADER_LENGTH + payloadLength + PeerHeaderFlyweight.TAG_LENGTH;
        header.wrap(buffer.segment(), 0, length)
                .magic(PeerHeaderFlyweight.MAGIC)
                .version(PeerHeaderFlyweight.VERSION)
                .typeCode(type.code())
                .flags(flags)
                .payloadLength(payloadLength)
                .senderRouterId(routerId)
                .reserved(0)
                .incarnation(incarnation)
                .sequence(nextSequence++);
        authenticator.sign(buffer.bytes(), 0, PeerHeaderFlyweight.HEADER_LENGTH + payloadLength);
        return length;
    }

    /** The sequence number the next message will carry. */
    public long nextSequence() {
        return nextSequence;
    }

    public int routerId() {
        return routerId;
    }

    public long incarnation() {
        return incarnation;
    }
}
