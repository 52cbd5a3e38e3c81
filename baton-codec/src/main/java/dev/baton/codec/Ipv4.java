package dev.baton.codec;

/**
 * IPv4 addresses held in an {@code int}, first octet most significant (192.0.2.1 is {@code 0xC0000201}, the value
 * {@link Ipv4Flyweight} reads from the wire), as dotted-quad text and in subnets. A primitive, so the forwarding
 * path keeps addresses without allocating; the text forms are for configuration, logs and the lab's commands.
 */
public final class Ipv4 {

    /** TEST-NET-1, 192.0.2.0/24: documentation addresses (RFC 5737 section 3). */
    public static final int TEST_NET_1 = 0xC0000200;
    /** TEST-NET-2, 198.51.100.0/24 (RFC 5737 section 3). */
    public static final int TEST_NET_2 = 0xC6336400;
    /** TEST-NET-3, 203.0.113.0/24 (RFC 5737 section 3). */
    public static final int TEST_NET_3 = 0xCB007100;
    /** Each TEST-NET range is a /24. */
    public static final int TEST_NET_PREFIX_LENGTH = 24;

    private Ipv4() {
    }

    /**
     * Parses a dotted quad strictly: four decimal parts 0..255, no leading zeros, nothing else.
     *
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static int parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (it needs four dot-separated parts)");
        }
        int value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (bad part '" + part + "')");
            }
            int octet = 0;
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                if (c < '0' || c > '9') {
                    throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (bad part '" + part + "')");
                }
                octet = octet * 10 + (c - '0');
            }
            if (octet > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (" + octet + " > 255)");
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    /** The dotted quad, e.g. "192.0.2.1". */
    public static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    /** "a.b.c.d/len", the form {@code ip address add} takes. */
    public static String cidr(int address, int prefixLength) {
        return format(address) + "/" + prefixLength;
    }

    /**
     * The network mask of a prefix length: its {@code prefixLength} high bits set (0 for /0, -1 for /32).
     *
     * @throws IllegalArgumentException if {@code prefixLength} is outside 0..32
     */
    public static int mask(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is not within 0..32");
        }
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /** Whether {@code address} lies in the subnet {@code network}/{@code prefixLength} (host bits of {@code network} ignored). */
    public static boolean inSubnet(int address, int network, int prefixLength) {
        return ((address ^ network) & mask(prefixLength)) == 0;
    }

    /** Whether {@code address} is in one of the three documentation ranges of RFC 5737 (TEST-NET-1, -2 and -3). */
    public static boolean isTestNet(int address) {
        return inSubnet(address, TEST_NET_1, TEST_NET_PREFIX_LENGTH) || inSubnet(address, TEST_NET_2, TEST_NET_PREFIX_LENGTH)
                || inSubnet(address, TEST_NET_3, TEST_NET_PREFIX_LENGTH);
    }
}
