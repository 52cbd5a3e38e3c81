package dev.baton.config;

import dev.baton.codec.Ipv4;

/**
 * An IPv4 address with a prefix length, e.g. {@code 198.51.100.2/24}: an interface address together with
 * the subnet attached to that interface.
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
        return Ipv4.mask(prefixLength);
    }

    public boolean contains(int other) {
        return Ipv4.inSubnet(other, address, prefixLength);
    }

    /** The first address of the subnet (all host bits zero), e.g. 198.51.100.0 for 198.51.100.2/24. */
    public int networkAddress() {
        return address & mask();
    }

    /** The last address of the subnet (all host bits one), e.g. 198.51.100.255 for 198.51.100.2/24. */
    public int broadcastAddress() {
        return address | ~mask();
    }

    /**
     * Whether the subnet reserves its first and last address (network and broadcast). A /31 does not
     * (RFC 3021, section 2.1) and a /32 is a single host.
     */
    public boolean hasNetworkAndBroadcastAddresses() {
        return prefixLength <= 30;
    }

    /** Whether this subnet and {@code other} share at least one address. */
    public boolean overlaps(Ipv4Prefix other) {
        return Ipv4.inSubnet(address, other.address, Math.min(prefixLength, other.prefixLength));
    }

    /** The subnet in network form, e.g. {@code 198.51.100.0/24} for 198.51.100.2/24. */
    public String subnetText() {
        return Ipv4.cidr(networkAddress(), prefixLength);
    }

    @Override
    public String toString() {
        return Ipv4.cidr(address, prefixLength);
    }
}
