package dev.baton.dataplane.forward;

import dev.baton.codec.EthernetFlyweight;
import dev.baton.codec.InternetChecksum;
import dev.baton.codec.Ipv4Flyweight;
import dev.baton.codec.NetworkOrder;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Completes a TCP or UDP checksum that a local sender left partial (CHECKSUM_PARTIAL: the field holds only
 * the pseudo-header sum, TP_STATUS_CSUMNOTREADY). Needed only without PACKET_VNET_HDR, which would carry the
 * kernel's csum_start/csum_offset to the egress device instead. Computed from scratch (RFC 9293 §3.1,
 * RFC 768): pseudo-header plus segment, which is correct whatever the field held.
 */
final class TransportChecksum {

    private TransportChecksum() {
    }

    /**
     * @param ethernet a flyweight already wrapped over this frame
     * @return whether a checksum was written
     */
    static boolean complete(MemorySegment frame, long frameOffset, int frameLength, EthernetFlyweight ethernet) {
        if (ethernet.etherType() != EthernetFlyweight.ETHER_TYPE_IPV4) {
            return false;
        }
        long l3 = ethernet.payloadOffset();
        int ihl = (frame.get(ValueLayout.JAVA_BYTE, l3) & 0x0F) * 4;
        int totalLength = Short.toUnsignedInt(frame.get(NetworkOrder.SHORT, l3 + 2));
        int protocol = frame.get(ValueLayout.JAVA_BYTE, l3 + 9) & 0xFF;
        long l4 = l3 + ihl;
        int l4Length = totalLength - ihl;
        if (l4Length <= 0 || l4 + l4Length > frameOffset + frameLength) {
            return false;
        }
        long checksumAt;
        if (protocol == Ipv4Flyweight.PROTOCOL_TCP && l4Length >= 20) {
            checksumAt = l4 + 16;
        } else if (protocol == Ipv4Flyweight.PROTOCOL_UDP && l4Length >= 8) {
            checksumAt = l4 + 6;
        } else {
            return false;
        }
        frame.set(NetworkOrder.SHORT, checksumAt, (short) 0);
        long sum = 0;
        sum += (frame.get(NetworkOrder.INT, l3 + 12) >>> 16) + (frame.get(NetworkOrder.INT, l3 + 12) & 0xFFFF);
        sum += (frame.get(NetworkOrder.INT, l3 + 16) >>> 16) + (frame.get(NetworkOrder.INT, l3 + 16) & 0xFFFF);
        sum += protocol + l4Length;
        sum += InternetChecksum.sum(frame, l4, l4Length);
        int checksum = InternetChecksum.fold(sum);
        if (protocol == Ipv4Flyweight.PROTOCOL_UDP && checksum == 0) {
            checksum = 0xFFFF; // RFC 768: zero means "no checksum"; an all-ones result is sent instead
        }
        frame.set(NetworkOrder.SHORT, checksumAt, (short) checksum);
        return true;
    }
}
