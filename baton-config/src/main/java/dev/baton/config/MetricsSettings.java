package dev.baton.config;

import dev.baton.codec.Ipv4;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The {@code metrics} section: where the router serves its counters to Prometheus ({@code GET /metrics},
 * docs/metrics.md). Absent, the router opens no HTTP listener at all.
 *
 * @param address the IPv4 address the listener binds, {@code 0} for every address of the host (0.0.0.0)
 * @param port    the TCP port, 1..65535
 */
public record MetricsSettings(int address, int port) {

    public MetricsSettings {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is out of range (1..65535)");
        }
    }

    /** {@code address:port}, as written in the file. */
    public String listenText() {
        return Ipv4.format(address) + ":" + port;
    }

    /** The address to bind. */
    public InetSocketAddress socketAddress() {
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }
}
