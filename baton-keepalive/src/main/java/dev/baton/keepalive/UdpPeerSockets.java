package dev.baton.keepalive;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * {@link PeerSockets#UDP}: non-blocking datagram channels, each asking for a
 * {@link PeerTransport#RECEIVE_BUFFER_BYTES} receive buffer so that a burst of junk or a scheduling pause of the
 * agent does not overflow it.
 */
final class UdpPeerSockets implements PeerSockets {

    private static final System.Logger LOG = System.getLogger(UdpPeerSockets.class.getName());

    @Override
    public PeerSocket bind(InetSocketAddress local) throws IOException {
        DatagramChannel channel = DatagramChannel.open(local.getAddress() instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, PeerTransport.RECEIVE_BUFFER_BYTES);
            channel.bind(local);
            // Linux reports twice the size granted (half is bookkeeping); less than asked means rmem_max capped it.
            int granted = channel.getOption(StandardSocketOptions.SO_RCVBUF);
            if (granted < PeerTransport.RECEIVE_BUFFER_BYTES) {
                LOG.log(System.Logger.Level.WARNING, "peer link " + local + ": receive buffer " + granted + " bytes, "
                        + PeerTransport.RECEIVE_BUFFER_BYTES + " asked; raise net.core.rmem_max to absorb floods at the peer port");
            }
            return new UdpSocket(channel, granted);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException("cannot bind peer link address " + local + ": " + e.getMessage(), e);
        }
    }

    private record UdpSocket(DatagramChannel channel, int receiveBufferBytes) implements PeerSocket {

        @Override
        public int send(ByteBuffer datagram, InetSocketAddress to) throws IOException {
            return channel.send(datagram, to);
        }

        @Override
        public SocketAddress receive(ByteBuffer into) throws IOException {
            return channel.receive(into);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
