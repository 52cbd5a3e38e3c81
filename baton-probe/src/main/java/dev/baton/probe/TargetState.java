package dev.baton.probe;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

import dev.baton.nativeio.KernelStructs.SockaddrIn;
import dev.baton.nativeio.KernelStructs.SockaddrIn6;

/**
 * One target of a {@link ProbeEngine}: what it probes, its schedule, its results, and the state of its probe in
 * flight, which the kind of probe it is ({@link StreamProbes}, {@link EchoProbes}, {@link ArpProbes}) reads and
 * writes. Fields are the engine thread's.
 */
final class TargetState {
    final int slot;
    final ProbeSpec spec;
    final RiseFall riseFall;
    final String timeoutCause;
    final String responseTimeoutCause;
    /** HTTPS: the timeout's cause while the TLS handshake is under way. */
    final String handshakeTimeoutCause;
    final int address4;
    final int source4;
    final boolean ipv6;
    final int addressLength;
    /** TCP and HTTP: the sockaddr a probe binds to and the one it connects to (native, freed with the target). */
    final MemorySegment sourceSockaddr;
    final MemorySegment remoteSockaddr;
    final HttpResponseScanner scanner;
    /** HTTP: the request, native, sent as it is. */
    final MemorySegment request;
    /** HTTPS: the TLS side (buffers, the probe's engine), set when the target is added; null for other kinds. */
    TlsState tls;
    RawIcmpSocket icmpSocket;
    ArpSocket arpSocket;
    /** TCP and ICMP to an on-link address of an interface the engine was given: the rings it goes through. */
    ProbeLink link;
    /** Through a link: the probe waits for the neighbour's MAC (an ARP request is out) before it is sent. */
    boolean awaitingMac;
    /** Through a link, TCP: the probe's source port, or -1; and its initial sequence number (RFC 9293 §3.4.1). */
    int probePort = -1;
    int initialSequence;
    /** Through a link: the timeout's cause while the neighbour's MAC is still unknown. */
    String noArpReplyCause;

    boolean inFlight;
    boolean awaitingResponse;
    long startedAtMs;
    long nextStartMs;
    long probesStarted;
    long successes;
    long failures;
    long lastRoundTripMs = -1;
    int sequence = -1;
    long lastMac = -1;
    String lastMacCause;
    /** The TCP probe's socket, or -1. */
    int fd = -1;
    boolean connected;
    int requestSent;

    TargetState(int slot, ProbeSpec spec) {
        this.slot = slot;
        this.spec = spec;
        this.riseFall = new RiseFall(spec.rise(), spec.fall());
        this.timeoutCause = "timed out after " + spec.timeoutMs() + " ms";
        this.handshakeTimeoutCause = timeoutCause + " in the TLS handshake";
        ProbeTarget what = spec.target();
        this.address4 = what.address() instanceof Inet4Address ? ipv4(what.address()) : 0;
        this.source4 = what.source() instanceof Inet4Address ? ipv4(what.source()) : 0;
        this.ipv6 = what.address() instanceof Inet6Address;
        this.addressLength = ipv6 ? SockaddrIn6.SIZE : SockaddrIn.SIZE;
        switch (what) {
            case ProbeTarget.Tcp tcp -> {
                sourceSockaddr = StreamProbes.sockaddr(tcp.source(), 0);
                remoteSockaddr = StreamProbes.sockaddr(tcp.address(), tcp.port());
                scanner = null;
                request = null;
                responseTimeoutCause = timeoutCause;
            }
            case ProbeTarget.Http http -> {
                sourceSockaddr = StreamProbes.sockaddr(http.source(), 0);
                remoteSockaddr = StreamProbes.sockaddr(http.address(), http.port());
                scanner = new HttpResponseScanner(http.expectedStatus(), http.bodySubstring());
                request = StreamProbes.nativeCopy(http.request());
                responseTimeoutCause = timeoutCause + " waiting for the response";
            }
            case ProbeTarget.Https https -> {
                sourceSockaddr = StreamProbes.sockaddr(https.source(), 0);
                remoteSockaddr = StreamProbes.sockaddr(https.address(), https.port());
                scanner = new HttpResponseScanner(https.expectedStatus(), https.bodySubstring());
                request = null; // sent inside TLS: TlsState has it
                responseTimeoutCause = timeoutCause + " waiting for the response";
            }
            default -> {
                sourceSockaddr = null;
                remoteSockaddr = null;
                scanner = null;
                request = null;
                responseTimeoutCause = timeoutCause;
            }
        }
    }

    /**
     * Why the probe in flight fails if its timeout passes now: connecting, in the TLS handshake, or awaiting
     * the answer.
     */
    String timeoutCauseNow() {
        if (awaitingMac) {
            return noArpReplyCause;
        }
        if (awaitingResponse) {
            return responseTimeoutCause;
        }
        return tls != null && connected ? handshakeTimeoutCause : timeoutCause;
    }

    private static int ipv4(InetAddress address) {
        byte[] bytes = address.getAddress();
        return (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF);
    }
}
