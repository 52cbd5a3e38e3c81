package dev.baton.lab;

/**
 * Dotted-quad IPv4 addresses held in an {@code int} (192.0.2.1 is {@code 0xC0000201}), and the TEST-NET
 * guard: the lab may only ever use the documentation ranges of RFC 5737 section 3.
 */
final class Ipv4 {

    /** TEST-NET-1, RFC 5737: the lab's front segment. */
    static final int TEST_NET_1 = 0xC0000200;
    /** TEST-NET-2, RFC 5737: the lab's back segment (two-segment layout). */
    static final int TEST_NET_2 = 0xC6336400;
    /** TEST-NET-3, RFC 5737: the lab's client segment. */
    static final int TEST_NET_3 = 0xCB007100;
    /** Every lab subnet is a /24. */
    static final int SUBNET_PREFIX_LENGTH = 24;

    private Ipv4() {
    }

    /**
     * Parses a dotted quad strictly: four decimal parts 0..255 without leading zeros.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static int parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address: it needs four dot-separated parts");
        }
        int address = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')
                    || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address: bad part '" + part + "'");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address: " + octet + " > 255");
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    /** "a.b.c.d/len", the form {@code ip address add} takes. */
    static String cidr(int address, int prefixLength) {
        return format(address) + "/" + prefixLength;
    }

    static boolean inSubnet(int address, int network, int prefixLength) {
        int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        return (address & mask) == (network & mask);
    }

    /** True for 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24 (RFC 5737), the only addresses the lab uses. */
    static boolean isTestNet(int address) {
        return inSubnet(address, TEST_NET_1, 24) || inSubnet(address, TEST_NET_2, 24) || inSubnet(address, TEST_NET_3, 24);
    }
}
