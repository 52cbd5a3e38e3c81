package dev.baton.codec.pcap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Loads the captured pcap fixtures under {@code src/test/resources/pcap/} (see the README there for how
 * they were made). Shipped in baton-codec's test-jar so other modules' tests can reuse the frames.
 */
public final class PcapFixtures {

    /** ARP request from the client for its gateway and the gateway's reply. */
    public static final String ARP = "arp.pcap";
    /** ICMP echo request from the client to the server and the routed reply. */
    public static final String ICMP_ECHO = "icmp-echo.pcap";
    /** A whole HTTP/1.0 exchange over TCP: handshake, request, response, FIN from both sides (13 frames). */
    public static final String TCP_HTTP = "tcp-http.pcap";
    /** The same exchange captured with tx checksum offload on: every TCP checksum is CHECKSUM_PARTIAL. */
    public static final String TCP_CSUM_PARTIAL = "tcp-csum-partial.pcap";
    /** One UDP datagram; nanosecond-resolution file (magic a1b23c4d). */
    public static final String UDP = "udp.pcap";
    /** A UDP datagram to a closed port and the ICMP port-unreachable quoting it. */
    public static final String ICMP_PORT_UNREACHABLE = "icmp-port-unreachable.pcap";
    /** A DF-set 1428-byte echo request and the router's ICMP fragmentation-needed (next-hop MTU 1280). */
    public static final String ICMP_FRAG_NEEDED = "icmp-frag-needed.pcap";

    private PcapFixtures() {
    }

    /** Reads every record of the named fixture from the class path ({@code /pcap/<name>}). */
    public static List<PcapRecord> load(String name) {
        String resource = "/pcap/" + name;
        try (InputStream in = PcapFixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no pcap fixture on the class path: " + resource);
            }
            return PcapReader.readAll(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pcap fixture " + resource, e);
        }
    }

    /** Record {@code index} (0-based) of the named fixture. */
    public static PcapRecord record(String name, int index) {
        return load(name).get(index);
    }
}
