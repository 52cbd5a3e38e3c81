package dev.baton.probe;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import javax.net.ssl.SNIHostName;

/**
 * What one probe asks and of whom: a TCP connect, an HTTP or HTTPS GET, an ICMP echo or an ARP who-has, each with
 * the local address it leaves from. The source is the router's own address on the server- or client-facing
 * interface, never a VIP: a probe from a VIP would leave through whichever router holds it and its answer
 * would go there (the configuration layer, which knows the VIPs, checks that).
 *
 * <p>Every constructor validates and says what is wrong; nothing here touches the network.
 */
public sealed interface ProbeTarget {

    /** The longest HTTP path accepted: the request must fit one small write. */
    int MAX_PATH_LENGTH = 1_024;
    /** The longest Host header value accepted (a DNS name has at most 253 characters). */
    int MAX_HOST_LENGTH = 255;
    /** The longest body substring accepted, in UTF-8 bytes. */
    int MAX_BODY_SUBSTRING_BYTES = 256;

    /** The address probed. */
    InetAddress address();

    /** The local address the probe is sent from. */
    InetAddress source();

    /** A short word for the kind, for {@code ctl} output: "tcp", "http", "https", "icmp", "arp". */
    String kindWord();

    /**
     * A TCP connect to {@code address:port} from {@code source}: up when the handshake completes.
     */
    record Tcp(InetAddress address, int port, InetAddress source) implements ProbeTarget {
        public Tcp {
            checkAddresses(address, source, false);
            checkPort(port);
        }

        @Override
        public String kindWord() {
            return "tcp";
        }
    }

    /**
     * An HTTP/1.0 {@code GET path} to {@code address:port} from {@code source} with {@code Host: host}: up when the
     * status line carries {@code expectedStatus}, the headers end within the engine's bound and, if
     * {@code bodySubstring} is not null, the body holds it within the engine's bound. Plain HTTP only; {@link Https}
     * is the same over TLS.
     */
    record Http(InetAddress address, int port, InetAddress source, String path, String host, int expectedStatus,
                String bodySubstring) implements ProbeTarget {
        public Http {
            checkAddresses(address, source, false);
            checkPort(port);
            checkHttp(path, host, expectedStatus, bodySubstring);
        }

        @Override
        public String kindWord() {
            return "http";
        }

        /** The request sent, byte for byte: HTTP/1.0 so that no server may answer in chunks (RFC 9112 §7.1). */
        public byte[] request() {
            return httpRequest(path, host);
        }
    }

    /**
     * The {@link Http} check over TLS 1.3 or 1.2 (RFC 8446, RFC 5246; HTTP over TLS, RFC 9110 §4.2.2): the same
     * request, judged the same way, once the handshake is done. The server is named in the handshake (SNI, RFC 6066
     * §3) by {@code host} when that is a DNS name, not when it is an address. The certificate is not verified unless
     * {@code verifyCertificate}: a health check asks whether the server answers, not whether it is who it says (as
     * HAProxy's {@code check-ssl verify none}); verified, the chain must lead to the JDK's trust store and name
     * {@code host} (RFC 9110 §4.3.4: a DNS name, or the address when {@code host} is one).
     */
    record Https(InetAddress address, int port, InetAddress source, String path, String host, int expectedStatus,
                 String bodySubstring, boolean verifyCertificate) implements ProbeTarget {
        public Https {
            checkAddresses(address, source, false);
            checkPort(port);
            checkHttp(path, host, expectedStatus, bodySubstring);
        }

        @Override
        public String kindWord() {
            return "https";
        }

        /** The request sent inside TLS, byte for byte: {@link Http#request()}'s. */
        public byte[] request() {
            return httpRequest(path, host);
        }

        /**
         * The name sent in the handshake's server_name extension: {@code host} without a trailing dot when it is a
         * DNS name; null (no extension) when it is an IPv4 or IPv6 literal, carries a port, or is no valid host name,
         * since RFC 6066 §3 allows only DNS host names there.
         */
        public String serverName() {
            String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            if (name.isEmpty() || name.indexOf(':') >= 0 || name.indexOf('[') >= 0 || ipv4Literal(name)) {
                return null;
            }
            try {
                return new SNIHostName(name).getAsciiName();
            } catch (IllegalArgumentException notAHostName) {
                return null;
            }
        }

        private static boolean ipv4Literal(String name) {
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c != '.' && (c < '0' || c > '9')) {
                    return false;
                }
            }
            return true;
        }
    }

    /** An ICMP echo request (RFC 792) to {@code address} from {@code source}: up on the matching echo reply. IPv4. */
    record IcmpEcho(InetAddress address, InetAddress source) implements ProbeTarget {
        public IcmpEcho {
            checkAddresses(address, source, true);
        }

        @Override
        public String kindWord() {
            return "icmp";
        }
    }

    /**
     * An ARP request (RFC 826) for the on-link {@code address}, broadcast on {@code interfaceName} with the
     * interface's own address {@code source} as the sender: up on a reply whose sender protocol address is
     * {@code address}. IPv4 over Ethernet.
     */
    record Arp(InetAddress address, String interfaceName, InetAddress source) implements ProbeTarget {
        public Arp {
            checkAddresses(address, source, true);
            Objects.requireNonNull(interfaceName, "interfaceName");
            // IFNAMSIZ is 16 with the terminating NUL; '/' and whitespace are refused by the kernel (dev_valid_name).
            if (interfaceName.isEmpty() || interfaceName.length() > 15 || !visibleAscii(interfaceName)
                    || interfaceName.indexOf('/') >= 0 || interfaceName.equals(".") || interfaceName.equals("..")) {
                throw new IllegalArgumentException("not an interface name (1..15 visible ASCII characters, no '/'): "
                        + quoted(interfaceName));
            }
        }

        @Override
        public String kindWord() {
            return "arp";
        }
    }

    private static void checkHttp(String path, String host, int expectedStatus, String bodySubstring) {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty() || path.charAt(0) != '/' || path.length() > MAX_PATH_LENGTH || !visibleAscii(path)) {
            throw new IllegalArgumentException("HTTP path must start with '/', have at most " + MAX_PATH_LENGTH
                    + " characters and only visible ASCII (no spaces or control characters): " + quoted(path));
        }
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || host.length() > MAX_HOST_LENGTH || !visibleAscii(host)) {
            throw new IllegalArgumentException("HTTP host must have 1.." + MAX_HOST_LENGTH
                    + " visible ASCII characters: " + quoted(host));
        }
        if (expectedStatus < 100 || expectedStatus > 599) {
            throw new IllegalArgumentException("expected HTTP status must be within 100..599: " + expectedStatus);
        }
        if (bodySubstring != null) {
            int bytes = bodySubstring.getBytes(StandardCharsets.UTF_8).length;
            if (bytes == 0 || bytes > MAX_BODY_SUBSTRING_BYTES) {
                throw new IllegalArgumentException("HTTP body substring must have 1.." + MAX_BODY_SUBSTRING_BYTES
                        + " bytes (or be absent): " + bytes + " bytes");
            }
        }
    }

    /** HTTP/1.0 so that no server may answer in chunks (RFC 9112 §7.1); the connection closes after the answer. */
    private static byte[] httpRequest(String path, String host) {
        return ("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nConnection: close\r\n"
                + "User-Agent: baton-probe\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static void checkAddresses(InetAddress address, InetAddress source, boolean ipv4Only) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(source, "source");
        if (ipv4Only && !(address instanceof Inet4Address && source instanceof Inet4Address)) {
            throw new IllegalArgumentException("ICMP echo and ARP probes are IPv4 only: " + address.getHostAddress()
                    + " from " + source.getHostAddress());
        }
        if (address.getClass() != source.getClass()) {
            throw new IllegalArgumentException("target " + address.getHostAddress() + " and source "
                    + source.getHostAddress() + " are of different address families");
        }
        if (address.isAnyLocalAddress() || address.isMulticastAddress() || isLimitedBroadcast(address)) {
            throw new IllegalArgumentException("cannot probe " + address.getHostAddress()
                    + ": not a unicast address");
        }
        if (source.isAnyLocalAddress() || source.isMulticastAddress() || isLimitedBroadcast(source)) {
            throw new IllegalArgumentException("source " + source.getHostAddress()
                    + " must be one of the router's own unicast addresses (the probe leaves from it)");
        }
    }

    private static boolean isLimitedBroadcast(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 4 && (bytes[0] & bytes[1] & bytes[2] & bytes[3]) == (byte) 0xFF;
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be within 1..65535: " + port);
        }
    }

    private static boolean visibleAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    private static String quoted(String text) {
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < Math.min(text.length(), 64); i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return out.append(text.length() > 64 ? "...'" : "'").toString();
    }
}
