package dev.baton.peer;

/**
 * The send side: stamps the header of a message whose payload is already written, gives it the next
 * sequence number and signs it under the key of the pair (this router, destination). One per router, owned
 * by the sending thread; allocates nothing.
 *
 * <p>Use: wrap a payload flyweight at {@code buffer.segment()}, offset {@link PeerHeaderFlyweight#PAYLOAD_OFFSET},
 * write the payload, then {@link #compose} with its destination and length and send the returned number of
 * bytes. A message sent over several links is composed once per link: each copy then has its own sequence,
 * so every link's heartbeats are authenticated and counted on their own, and a datagram duplicated by the
 * network is rejected as {@link Verdict#REPLAYED}. One sequence counter serves every destination: a receiver
 * sees gaps (the messages to other routers), which its replay window accepts.
 *
 * <p>Each message names its receiver (Destination Router Id, under the tag) and is signed
 * with {@link PeerKey#pairKey}{@code (this router, destination)}, so a message to B relayed to C fails C's
 * check, and a router that holds only the (A, C) pair key cannot write a message B accepts as A's.
 */
public final class MessageComposer {

    private final int routerId;
    private final long incarnation;
    private final int[] peerRouterIds;
    private final MessageAuthenticator[] authenticators;
    private final PeerHeaderFlyweight header = new PeerHeaderFlyweight();
    private long nextSequence = 1;

    /**
     * @param routerId      this router's id, as its peers have it configured
     * @param incarnation   this run's incarnation ({@link IncarnationStore})
     * @param secret        the shared secret the pair keys are derived from
     * @param peerRouterIds the routers this composer may address
     * @throws IllegalArgumentException when a peer id is this router's own or given twice
     */
    public MessageComposer(int routerId, long incarnation, PeerKey secret, int[] peerRouterIds) {
        this.routerId = routerId;
        this.incarnation = incarnation;
        this.peerRouterIds = peerRouterIds.clone();
        this.authenticators = MessageAuthenticator.forPairs(secret, routerId, this.peerRouterIds);
    }

    /**
     * Writes the header for a {@code type} message to {@code destinationRouterId} with {@code payloadLength}
     * bytes of payload already in place, and the tag after the payload.
     *
     * @return the datagram's length in bytes
     * @throws IllegalArgumentException when the payload does not fit one datagram (a caller bug: batch
     *                                  sizes come from {@link MessageType#maxRecords()}) or the destination is
     *                                  not a configured peer (a caller bug: destinations come from the peers)
     */
    public int compose(PeerMessageBuffer buffer, int destinationRouterId, MessageType type, int flags, int payloadLength) {
        if (payloadLength < 0 || payloadLength > PeerHeaderFlyweight.MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("payload of " + payloadLength + " bytes does not fit a peer datagram");
        }
        int peer = indexOf(destinationRouterId);
        if (peer < 0) {
            throw new IllegalArgumentException("router " + Integer.toUnsignedString(destinationRouterId)
                    + " is not a configured peer: no pair key to sign for it");
        }
        int length = PeerHeaderFlyweight.HEADER_LENGTH + payloadLength + PeerHeaderFlyweight.TAG_LENGTH;
        header.wrap(buffer.segment(), 0, length)
                .magic(PeerHeaderFlyweight.MAGIC)
                .version(PeerHeaderFlyweight.VERSION)
                .typeCode(type.code())
                .flags(flags)
                .payloadLength(payloadLength)
                .senderRouterId(routerId)
                .destinationRouterId(destinationRouterId)
                .incarnation(incarnation)
                .sequence(nextSequence++);
        authenticators[peer].sign(buffer.bytes(), 0, PeerHeaderFlyweight.HEADER_LENGTH + payloadLength);
        return length;
    }

    private int indexOf(int id) {
        for (int i = 0; i < peerRouterIds.length; i++) {
            if (peerRouterIds[i] == id) {
                return i;
            }
        }
        return -1;
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
