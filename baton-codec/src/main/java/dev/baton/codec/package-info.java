/**
 * Packet codecs for the forwarding path: flyweight views over {@link java.lang.foreign.MemorySegment}s for
 * Ethernet/802.1Q ({@link dev.baton.codec.EthernetFlyweight}), ARP ({@link dev.baton.codec.ArpFlyweight}),
 * IPv4 ({@link dev.baton.codec.Ipv4Flyweight}), TCP, UDP, ICMP and the virtio-net header, the Internet
 * checksum ({@link dev.baton.codec.InternetChecksum}), MAC addresses as {@code long}s ({@link dev.baton.codec.MacAddress})
 * and IPv4 addresses as {@code int}s ({@link dev.baton.codec.Ipv4}: dotted quads, subnets, the RFC 5737 ranges).
 *
 * <p>The flyweights share one package-private base, {@code Flyweight}: the wrapped range, {@code wrap},
 * {@code offset()}, {@code length()}, the within-segment check and the fixed-width field reads and writes;
 * each header class adds only its offsets, constants, field names and validity rules.
 *
 * <p>Conventions: {@code wrap(segment, offset, length)} allocates nothing and returns the view; every
 * offset passed in or returned is absolute within the segment; {@code valid()} is the one length check
 * and never throws, after which accessors read without checks of their own. Wire data is big-endian and
 * read with the unaligned layouts of {@link dev.baton.codec.NetworkOrder}, which every other module reading
 * wire data uses too; IPv4 addresses are {@code int}s (192.0.2.1 = {@code 0xC0000201}), MAC addresses the
 * low 48 bits of a {@code long}.
 *
 * <p>Threading: flyweights are mutable cursors owned by one thread, normally the forwarding agent's, which
 * keeps one instance per header type and rewraps it per packet. The static helpers are stateless.
 */
package dev.baton.codec;
