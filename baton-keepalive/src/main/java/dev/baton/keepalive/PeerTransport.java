package dev.baton.keepalive;

import dev.baton.agent.RateLimitedLog;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import dev.baton.peer.MessageComposer;
import dev.baton.peer.MessageType;
import dev.baton.peer.MessageVerifier;
import dev.baton.peer.PeerMessageBuffer;
import dev.baton.peer.Verdict;
import dev.baton.peer.VerdictCounters;

/**
 * Peer messages over UDP on every link ({@code docs/protocol.md}): one socket ({@link PeerSockets}: a
 * non-blocking datagram channel in a router, an in-memory network in simulations) per distinct local link
 * address, bound when the transport is constructed, on the constructing thread. A socket keeps the network
 * namespace it was created in, so a caller may construct the transport inside {@code NetworkNamespace.callIn}
 * and use it from any thread afterwards.
 *
 * <p>Send: the caller writes a payload into {@link #sendBuffer()} at
 * {@code PeerHeaderFlyweight.PAYLOAD_OFFSET}, then {@link #send} (one link) or {@link #sendOnEveryLink}: each
 * copy is composed and signed on its own (its own sequence number) by baton-peer's {@link MessageComposer},
 * addressed to that peer and signed with their pair key.
 * Receive: {@link #receive} drains every channel, drops datagrams whose source is not a configured peer link
 * address and port (counted, {@link #foreignSourceDrops()}) before any parsing or MAC, verifies the rest with
 * {@link MessageVerifier} and hands accepted ones to the handler with the peer and the link they arrived on.
 * Rejected ones are counted by verdict (the verifier's {@link VerdictCounters}) and logged at most once per
 * reason per 10 s ({@link RateLimitedLog}); they never reach the handler, so they change no state.
 *
 * <p>Floods ({@code docs/operations.md} "Peer port floods"): junk at the peer port must not
 * crowd out keep-alives. Each channel asks for a {@link #RECEIVE_BUFFER_BYTES} receive buffer, is drained
 * until empty (at most {@link #MAX_DATAGRAMS_PER_CHANNEL} per call, so one flooded link cannot starve the
 * others), every datagram read counts as work so the agent does not idle while junk is queued, and a foreign
 * source costs one address comparison. The nftables guard drops foreign sources before the socket.
 *
 * <p>The two message buffers are allocated once and reused. A UDP socket's receive returns the
 * source as a new address object per datagram (a JDK limitation); this is the control path, a few messages
 * per link per interval, not the packet path. Not thread-safe: owned by the peer agent's thread.
 */
public final class PeerTransport implements AutoCloseable {

    /**
     * Most datagrams read from one channel per {@link #receive} call, so one flooded link cannot starve the
     * others: about a millisecond of reads (a receive system call each) before the next channel's turn.
     */
    public static final int MAX_DATAGRAMS_PER_CHANNEL = 1_024;

    /**
     * The receive buffer each channel asks for (SO_RCVBUF): 4 MiB holds thousands of small datagrams, so a
     * burst of junk or a scheduling pause of the agent does not overflow it. Linux caps the request at
     * {@code net.core.rmem_max} (often 208 KiB); a smaller buffer than asked is logged at start.
     */
    public static final int RECEIVE_BUFFER_BYTES = 4 << 20;

    /** Receives accepted messages. */
    @FunctionalInterface
    public interface MessageHandler {
        /**
         * An authenticated, fresh message from {@code peerRouterId} arrived on its link {@code linkIndex}.
         * {@code verifier.header()} and {@code verifier.type()} describe it; its bytes are in {@code buffer},
         * valid only during the call.
         */
        void onMessage(int peerRouterId, int linkIndex, MessageVerifier verifier, PeerMessageBuffer buffer);
    }

    private static final System.Logger LOG = System.getLogger(PeerTransport.class.getName());
    private static final int SEND_FAILURE_SLOT = Verdict.values().length;
    private static final int UNCONFIGURED_LINK_SLOT = SEND_FAILURE_SLOT + 1;
    private static final int FOREIGN_SOURCE_SLOT = UNCONFIGURED_LINK_SLOT + 1;
    private static final int RECEIVE_ERROR_SLOT = FOREIGN_SOURCE_SLOT + 1;

    private final PeerConfig[] peers;
    /** For each peer, for each of its links: the index of the channel bound to the link's local address. */
    private final int[][] channelOfLink;
    private final PeerSockets sockets;
    private final List<PeerSockets.PeerSocket> channels = new ArrayList<>();
    private final List<InetSocketAddress> channelAddresses = new ArrayList<>();
    /** Per channel: the peer addresses (address and port) of the links bound to it, the only sources read. */
    private InetSocketAddress[][] sourcesOfChannel = new InetSocketAddress[0][];
    private int receiveBufferBytes = Integer.MAX_VALUE;
    private final MessageComposer composer;
    private final MessageVerifier verifier;
    private final PeerMessageBuffer sendBuffer = new PeerMessageBuffer();
    private final PeerMessageBuffer receiveBuffer = new PeerMessageBuffer();
    private final RateLimitedLog rateLimitedLog;
    private long sendFailures;
    private long acceptedOnUnconfiguredLink;
    private long foreignSourceDrops;
    private long receiveErrors;

    /**
     * Binds one channel per distinct local address of the peers' links, on the calling thread.
     *
     * @param verifier configured with exactly these peers' router ids
     * @throws IOException when an address cannot be bound (every channel opened so far is closed)
     */
    public PeerTransport(List<PeerConfig> peers, MessageComposer composer, MessageVerifier verifier) throws IOException {
        this(peers, composer, verifier, RateLimitedLog.DEFAULT_INTERVAL_MS, PeerSockets.UDP);
    }

    /**
     * As {@link #PeerTransport(List, MessageComposer, MessageVerifier)}, with the log interval and the sockets
     * given.
     */
    public PeerTransport(List<PeerConfig> peers, MessageComposer composer, MessageVerifier verifier,
                         long logIntervalMs, PeerSockets sockets) throws IOException {
        this.sockets = sockets;
        this.peers = peers.toArray(PeerConfig[]::new);
        this.composer = composer;
        this.verifier = verifier;
        this.rateLimitedLog = new RateLimitedLog(RECEIVE_ERROR_SLOT + 1, logIntervalMs);
        this.channelOfLink = new int[this.peers.length][];
        try {
            for (int p = 0; p < this.peers.length; p++) {
                List<PeerLink> links = this.peers[p].links();
                channelOfLink[p] = new int[links.size()];
                for (int l = 0; l < links.size(); l++) {
                    channelOfLink[p][l] = channelFor(links.get(l).localAddress());
                }
            }
            sourcesOfChannel = new InetSocketAddress[channels.size()][];
            for (int c = 0; c < channels.size(); c++) {
                List<InetSocketAddress> sources = new ArrayList<>();
                for (int p = 0; p < this.peers.length; p++) {
                    for (int l = 0; l < channelOfLink[p].length; l++) {
                        if (channelOfLink[p][l] == c) {
                            sources.add(this.peers[p].links().get(l).peerAddress());
                        }
                    }
                }
                sourcesOfChannel[c] = sources.toArray(InetSocketAddress[]::new);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private int channelFor(InetSocketAddress local) throws IOException {
        int existing = channelAddresses.indexOf(local);
        if (existing >= 0) {
            return existing;
        }
        PeerSockets.PeerSocket socket = sockets.bind(local);
        receiveBufferBytes = Math.min(receiveBufferBytes, socket.receiveBufferBytes());
        channels.add(socket);
        channelAddresses.add(local);
        return channels.size() - 1;
    }

    /** The buffer to write an outgoing payload into (at {@code PeerHeaderFlyweight.PAYLOAD_OFFSET}). */
    public PeerMessageBuffer sendBuffer() {
        return sendBuffer;
    }

    /**
     * Composes, signs and sends the payload in {@link #sendBuffer()} to peer {@code peerRouterId} over its
     * link {@code linkIndex}.
     *
     * @return whether the kernel took the datagram; a failure (link down, no route, socket buffer full) is
     *         counted in {@link #sendFailures()} and logged rate-limited, never thrown: the keep-alive
     *         manager notices the silence
     */
    public boolean send(int peerRouterId, int linkIndex, MessageType type, int payloadLength, long nowMs) {
        int p = indexOf(peerRouterId);
        PeerLink link = peers[p].links().get(linkIndex);
        PeerSockets.PeerSocket channel = channels.get(channelOfLink[p][linkIndex]);
        int length = composer.compose(sendBuffer, peerRouterId, type, 0, payloadLength);
        ByteBuffer bytes = sendBuffer.byteBuffer();
        bytes.clear().limit(length);
        try {
            if (channel.send(bytes, link.peerAddress()) == length) {
                return true;
            }
            return sendFailed(peerRouterId, linkIndex, link, "socket send buffer full", nowMs);
        } catch (IOException e) {
            return sendFailed(peerRouterId, linkIndex, link, e.toString(), nowMs);
        }
    }

    /**
     * Sends the payload in {@link #sendBuffer()} to peer {@code peerRouterId} over every one of its links,
     * composed once per link.
     *
     * @return how many links the kernel took it on
     */
    public int sendOnEveryLink(int peerRouterId, MessageType type, int payloadLength, long nowMs) {
        int sent = 0;
        int linkCount = peers[indexOf(peerRouterId)].links().size();
        for (int l = 0; l < linkCount; l++) {
            if (send(peerRouterId, l, type, payloadLength, nowMs)) {
                sent++;
            }
        }
        return sent;
    }

    private boolean sendFailed(int peerRouterId, int linkIndex, PeerLink link, String why, long nowMs) {
        sendFailures++;
        if (rateLimitedLog.shouldLog(SEND_FAILURE_SLOT, nowMs)) {
            LOG.log(System.Logger.Level.WARNING, "peer message to router " + Integer.toUnsignedString(peerRouterId)
                    + " on link " + linkIndex + " (" + link.describe() + ") not sent: " + why + " ("
                    + rateLimitedLog.takeSuppressed(SEND_FAILURE_SLOT) + " more send failures not logged)");
        }
        return false;
    }

    /**
     * Reads what has arrived on every channel, until it is empty or {@link #MAX_DATAGRAMS_PER_CHANNEL} were
     * read from it; drops datagrams from sources that are no configured peer link, verifies the others and
     * hands the accepted ones to {@code handler}.
     *
     * @return how many datagrams were read, accepted or not: work for the caller's idle strategy, so a queue
     *         of junk is drained at full speed instead of 64 datagrams per idle period
     */
    public int receive(long nowMs, MessageHandler handler) {
        int read = 0;
        ByteBuffer bytes = receiveBuffer.byteBuffer();
        for (int c = 0; c < channels.size(); c++) {
            PeerSockets.PeerSocket channel = channels.get(c);
            for (int n = 0; n < MAX_DATAGRAMS_PER_CHANNEL; n++) {
                bytes.clear();
                SocketAddress source;
                try {
                    source = channel.receive(bytes);
                } catch (IOException e) {
                    // e.g. an ICMP error queued for an earlier send; the next receive goes on
                    receiveErrors++;
                    read++;
                    if (rateLimitedLog.shouldLog(RECEIVE_ERROR_SLOT, nowMs)) {
                        LOG.log(System.Logger.Level.WARNING, "peer link " + channelAddresses.get(c) + ": " + e + " ("
                                + rateLimitedLog.takeSuppressed(RECEIVE_ERROR_SLOT) + " more receive errors not logged)");
                    }
                    continue;
                }
                if (source == null) {
                    break;
                }
                read++;
                if (!fromConfiguredPeer(c, source)) {
                    foreignSourceDrops++;
                    if (rateLimitedLog.shouldLog(FOREIGN_SOURCE_SLOT, nowMs)) {
                        LOG.log(System.Logger.Level.WARNING, "datagram from " + source + " on peer link " + channelAddresses.get(c)
                                + " dropped: not a configured peer address and port (" + foreignSourceDrops + " so far, "
                                + rateLimitedLog.takeSuppressed(FOREIGN_SOURCE_SLOT) + " not logged since the last line)");
                    }
                    continue;
                }
                handle(c, source, bytes.position(), nowMs, handler);
            }
        }
        return read;
    }

    /**
     * Whether {@code source} is the peer address and port of a link bound to {@code channel}: one or a few
     * address comparisons, before any byte is parsed or a MAC computed. The JDK reuses the source address
     * object while consecutive datagrams come from one sender, so a flood allocates nothing here.
     */
    private boolean fromConfiguredPeer(int channel, SocketAddress source) {
        for (InetSocketAddress allowed : sourcesOfChannel[channel]) {
            if (allowed.equals(source)) {
                return true;
            }
        }
        return false;
    }

    private boolean handle(int channel, SocketAddress source, int length, long nowMs, MessageHandler handler) {
        Verdict verdict = verifier.verify(receiveBuffer, length);
        if (!verdict.accepted()) {
            int slot = verdict.code();
            if (rateLimitedLog.shouldLog(slot, nowMs)) {
                LOG.log(System.Logger.Level.WARNING, "peer message from " + source + " on " + channelAddresses.get(channel)
                        + " rejected: " + verdict.label() + " (" + verifier.counters().count(verdict) + " so far, "
                        + rateLimitedLog.takeSuppressed(slot) + " not logged since the last line)");
            }
            return false;
        }
        int peerRouterId = verifier.header().senderRouterId();
        int p = indexOf(peerRouterId);
        int linkIndex = linkOf(p, channel, source);
        if (linkIndex < 0) {
            acceptedOnUnconfiguredLink++;
            if (rateLimitedLog.shouldLog(UNCONFIGURED_LINK_SLOT, nowMs)) {
                LOG.log(System.Logger.Level.WARNING, "authentic message from router " + Integer.toUnsignedString(peerRouterId)
                        + " arrived on " + channelAddresses.get(channel) + ", not one of its configured links; ignored");
            }
            return false;
        }
        handler.onMessage(peerRouterId, linkIndex, verifier, receiveBuffer);
        return true;
    }

    /**
     * The peer's link a datagram on {@code channel} from {@code source} belongs to: the link bound to that
     * channel (by the source address when the peer has several links on one local address), or -1.
     */
    private int linkOf(int p, int channel, SocketAddress source) {
        int candidate = -1;
        int[] links = channelOfLink[p];
        for (int l = 0; l < links.length; l++) {
            if (links[l] == channel) {
                if (peers[p].links().get(l).peerAddress().equals(source)) {
                    return l;
                }
                if (candidate < 0) {
                    candidate = l;
                }
            }
        }
        return candidate;
    }

    private int indexOf(int peerRouterId) {
        for (int p = 0; p < peers.length; p++) {
            if (peers[p].routerId() == peerRouterId) {
                return p;
            }
        }
        throw new IllegalArgumentException("router " + Integer.toUnsignedString(peerRouterId) + " is not a configured peer");
    }

    /** Received datagrams by verdict, accepted and rejected (the verifier's counters). */
    public VerdictCounters verdicts() {
        return verifier.counters();
    }

    /** Datagrams the kernel did not take (link down, no route, buffer full). */
    public long sendFailures() {
        return sendFailures;
    }

    /** Datagrams dropped unread because their source is no configured peer link address and port. */
    public long foreignSourceDrops() {
        return foreignSourceDrops;
    }

    /** Receive calls that failed (an ICMP error for an earlier send, typically); the next one goes on. */
    public long receiveErrors() {
        return receiveErrors;
    }

    /** The smallest receive buffer the kernel granted a channel (SO_RCVBUF as Linux reports it: doubled). */
    public int receiveBufferBytes() {
        return receiveBufferBytes;
    }

    /** Authentic messages that arrived on a local address none of the sender's links uses; ignored. */
    public long acceptedOnUnconfiguredLink() {
        return acceptedOnUnconfiguredLink;
    }

    /** The local addresses bound, one channel each, in the order they were bound. */
    public List<InetSocketAddress> localAddresses() {
        return List.copyOf(channelAddresses);
    }

    /** Closes every channel. */
    @Override
    public void close() {
        for (PeerSockets.PeerSocket channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing peer link channel: " + e);
            }
        }
    }
}
