package dev.baton.config;

/**
 * An IPv4 address with a prefix length, e.g. {@code 198.51.100.2/24}.
 *
 * @param address      the address, host byte order in an int (network order of bits: 192.0.2.1 is 0xC0000201)
 * @param prefixLength 0 to 32
 */
public record Ipv4Prefix(int address, int prefixLength) {

    public Ipv4Prefix {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is not within 0..32");
        }
    }

    public int mask() {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public boolean contains(int other) {
        return ((address ^ other) & mask()) == 0;
    }

    @Override
    public String toString() {
        return Ipv4.format(address) + "/" + prefixLength;
    }
}
