package dev.baton.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * An HTTPS target's TLS side, made when the target is added ({@link TlsProbes#prepare}): what every probe's handshake
 * offers, the request, and the two record buffers, each one TLS packet long (the engine's
 * {@code getPacketBufferSize()}, 16,709 bytes with the JDK's defaults), in native memory so that the socket reads into
 * and sends from them with no copy; the garbage collector frees them with the target. The {@link SSLEngine} is the
 * probe's own (an engine does one connection) and is dropped when the probe ends. Engine thread only.
 */
final class TlsState {

    /** The context the probe's engine comes from, or null when it could not be made ({@link #contextFailure}). */
    final SSLContext context;
    final String contextFailure;
    /** The name the engine is made for: what a verified certificate must name (the Host header's value). */
    final String peerHost;
    /** Protocols, server name (SNI) and endpoint identification, set on each probe's engine. */
    final SSLParameters parameters;
    /** The HTTP request as plaintext: wrapped into {@link #netOut} once the handshake is done. */
    final ByteBuffer request;
    /** Records received and not yet unwrapped, in [0, position): a record may arrive in pieces. */
    final MemorySegment netInSegment;
    final ByteBuffer netIn;
    /** Records wrapped and not yet sent, in [0, position): a full send buffer keeps the rest for the next event. */
    final MemorySegment netOutSegment;
    final ByteBuffer netOut;

    /** The probe's engine, or null between probes. */
    SSLEngine engine;
    boolean handshakeDone;
    /** Bytes received in the current phase (handshake, then response), against {@link TlsProbes}' bounds. */
    int bytesReceived;
    /** The epoll events the probe's socket is watched for now. */
    int watching;
    /** Why the probe failed on the TLS side, or null. */
    String cause;

    TlsState(ProbeTarget.Https https, SSLContext context, String contextFailure, int packetBufferBytes,
             String[] protocols) {
        this.context = context;
        this.contextFailure = contextFailure;
        this.peerHost = https.host();
        SSLParameters offered = new SSLParameters();
        offered.setProtocols(protocols);
        String serverName = https.serverName();
        // Set explicitly, so that an address never goes into server_name (RFC 6066 §3), whatever the JDK derives.
        offered.setServerNames(serverName == null ? List.<SNIServerName>of() : List.of(new SNIHostName(serverName)));
        if (https.verifyCertificate()) {
            // RFC 9110 §4.3.4 (RFC 6125): the certificate must name the host, a DNS name or an IP address.
            offered.setEndpointIdentificationAlgorithm("HTTPS");
        }
        this.parameters = offered;
        this.request = ByteBuffer.wrap(https.request()).asReadOnlyBuffer();
        this.netInSegment = Arena.ofAuto().allocate(packetBufferBytes);
        this.netIn = netInSegment.asByteBuffer();
        this.netOutSegment = Arena.ofAuto().allocate(packetBufferBytes);
        this.netOut = netOutSegment.asByteBuffer();
    }
}
