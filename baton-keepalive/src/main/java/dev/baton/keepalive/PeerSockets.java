package dev.baton.keepalive;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * The datagram sockets under {@link PeerTransport}: {@link #UDP} in a router, an in-memory network with a
 * stepped clock and injected faults (loss, delay, reordering, duplication, partitions) in the HA agent's
 * simulation tests. Everything above a socket (composing, signing, source filtering, verifying) is the same
 * code in both.
 */
public interface PeerSockets {

    /** Real UDP sockets: one non-blocking {@link java.nio.channels.DatagramChannel} per local address. */
    PeerSockets UDP = new UdpPeerSockets();

    /**
     * A socket bound to {@code local}, on the calling thread (a UDP socket keeps the network namespace it was
     * created in).
     *
     * @throws IOException when the address cannot be bound
     */
    PeerSocket bind(InetSocketAddress local) throws IOException;

    /** One bound datagram socket. Not thread-safe: the peer agent's thread owns it. */
    interface PeerSocket extends Closeable {

        /**
         * Sends the bytes between {@code datagram}'s position and limit to {@code to}.
         *
         * @return bytes sent: all of them, or 0 when the socket's send buffer is full
         * @throws IOException when the system refuses it (no route, link down)
         */
        int send(ByteBuffer datagram, InetSocketAddress to) throws IOException;

        /**
         * Reads one waiting datagram into {@code into} (from its position).
         *
         * @return its source, or null when nothing is waiting
         * @throws IOException for an error queued on the socket (an ICMP error for an earlier send); the next
         *                     call goes on
         */
        SocketAddress receive(ByteBuffer into) throws IOException;

        /** The receive buffer granted, in bytes as the system reports it (Linux: twice the usable size). */
        int receiveBufferBytes();
    }
}
