package dev.baton.nativeio;

import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pins every struct layout and the constants used on the wire to the numbers measured on this kind
 * of machine (x86_64, kernel 6.18). The compiled
 * cross-check against the headers themselves is {@link KernelHeadersCrossCheckTest}.
 */
class KernelStructsLayoutTest {

    static List<Arguments> structSizes() {
        return List.of(
                Arguments.of(KernelStructs.SockaddrLl.LAYOUT, 20),
                Arguments.of(KernelStructs.SockaddrIn.LAYOUT, 16),
                Arguments.of(KernelStructs.SockaddrIn6.LAYOUT, 28),
                Arguments.of(KernelStructs.SockaddrUn.LAYOUT, 110),
                Arguments.of(KernelStructs.Linger.LAYOUT, 8),
                Arguments.of(KernelStructs.EpollEvent.LAYOUT, 12),
                Arguments.of(KernelStructs.PacketMreq.LAYOUT, 16),
                Arguments.of(KernelStructs.TpacketReq.LAYOUT, 16),
                Arguments.of(KernelStructs.TpacketReq3.LAYOUT, 28),
                Arguments.of(KernelStructs.Tpacket2Hdr.LAYOUT, 32),
                Arguments.of(KernelStructs.TpacketStats.LAYOUT, 8),
                Arguments.of(KernelStructs.TpacketBlockDesc.LAYOUT, 48),
                Arguments.of(KernelStructs.Tpacket3Hdr.LAYOUT, 48),
                Arguments.of(KernelStructs.TpacketStatsV3.LAYOUT, 12),
                Arguments.of(KernelStructs.SockFilter.LAYOUT, 8),
                Arguments.of(KernelStructs.SockFprog.LAYOUT, 16),
                Arguments.of(KernelStructs.PollFd.LAYOUT, 8),
                Arguments.of(KernelStructs.VirtioNetHdr.LAYOUT, 10),
                Arguments.of(KernelStructs.IfReq.LAYOUT, 40),
                Arguments.of(KernelStructs.SchedParam.LAYOUT, 4),
                Arguments.of(KernelStructs.EthtoolDrvinfo.LAYOUT, 196));
    }

    @ParameterizedTest(name = "sizeof({0}) = {1}")
    @MethodSource("structSizes")
    void structHasTheDocumentedSize(StructLayout layout, int expectedBytes) {
        assertEquals(expectedBytes, layout.byteSize(), layout.name().orElseThrow());
    }

    static List<Arguments> memberOffsets() {
        return List.of(
                // sockaddr_ll 20 B: family u16@0, protocol be16@2, ifindex i32@4, hatype u16@8,
                // pkttype u8@10, halen u8@11, addr[8]@12
                Arguments.of("sockaddr_ll.sll_family", KernelStructs.SockaddrLl.FAMILY_OFFSET, 0),
                Arguments.of("sockaddr_ll.sll_protocol", KernelStructs.SockaddrLl.PROTOCOL_OFFSET, 2),
                Arguments.of("sockaddr_ll.sll_ifindex", KernelStructs.SockaddrLl.IFINDEX_OFFSET, 4),
                Arguments.of("sockaddr_ll.sll_hatype", KernelStructs.SockaddrLl.HATYPE_OFFSET, 8),
                Arguments.of("sockaddr_ll.sll_pkttype", KernelStructs.SockaddrLl.PKTTYPE_OFFSET, 10),
                Arguments.of("sockaddr_ll.sll_halen", KernelStructs.SockaddrLl.HALEN_OFFSET, 11),
                Arguments.of("sockaddr_ll.sll_addr", KernelStructs.SockaddrLl.ADDR_OFFSET, 12),
                // sockaddr_in 16 B: family u16@0, port be16@2, addr be32@4, zero[8]@8
                Arguments.of("sockaddr_in.sin_family", KernelStructs.SockaddrIn.FAMILY_OFFSET, 0),
                Arguments.of("sockaddr_in.sin_port", KernelStructs.SockaddrIn.PORT_OFFSET, 2),
                Arguments.of("sockaddr_in.sin_addr.s_addr", KernelStructs.SockaddrIn.ADDRESS_OFFSET, 4),
                Arguments.of("sockaddr_in.sin_zero", KernelStructs.offset(KernelStructs.SockaddrIn.LAYOUT, "sin_zero"), 8),
                // sockaddr_in6 28 B: family u16@0, port be16@2, flowinfo be32@4, addr[16]@8, scope_id u32@24
                Arguments.of("sockaddr_in6.sin6_family", KernelStructs.SockaddrIn6.FAMILY_OFFSET, 0),
                Arguments.of("sockaddr_in6.sin6_port", KernelStructs.SockaddrIn6.PORT_OFFSET, 2),
                Arguments.of("sockaddr_in6.sin6_flowinfo", KernelStructs.SockaddrIn6.FLOWINFO_OFFSET, 4),
                Arguments.of("sockaddr_in6.sin6_addr", KernelStructs.SockaddrIn6.ADDRESS_OFFSET, 8),
                Arguments.of("sockaddr_in6.sin6_scope_id", KernelStructs.SockaddrIn6.SCOPE_ID_OFFSET, 24),
                // linger 8 B: onoff@0, linger@4
                Arguments.of("linger.l_onoff", KernelStructs.Linger.ON_OFFSET, 0),
                Arguments.of("linger.l_linger", KernelStructs.Linger.SECONDS_OFFSET, 4),
                // epoll_event 12 B, packed on x86_64: events u32@0, data u64@4
                Arguments.of("epoll_event.events", KernelStructs.EpollEvent.EVENTS_OFFSET, 0),
                Arguments.of("epoll_event.data", KernelStructs.EpollEvent.DATA_OFFSET, 4),
                // packet_mreq 16 B: ifindex@0, type u16@4, alen u16@6, addr[8]@8
                Arguments.of("packet_mreq.mr_ifindex", KernelStructs.PacketMreq.IFINDEX_OFFSET, 0),
                Arguments.of("packet_mreq.mr_type", KernelStructs.PacketMreq.TYPE_OFFSET, 4),
                Arguments.of("packet_mreq.mr_alen", KernelStructs.PacketMreq.ALEN_OFFSET, 6),
                Arguments.of("packet_mreq.mr_address", KernelStructs.offset(KernelStructs.PacketMreq.LAYOUT,
                        "mr_address"), 8),
                // tpacket_req 16 B: block_size@0, block_nr@4, frame_size@8, frame_nr@12
                Arguments.of("tpacket_req.tp_block_size", KernelStructs.TpacketReq.BLOCK_SIZE_OFFSET, 0),
                Arguments.of("tpacket_req.tp_block_nr", KernelStructs.TpacketReq.BLOCK_NR_OFFSET, 4),
                Arguments.of("tpacket_req.tp_frame_size", KernelStructs.TpacketReq.FRAME_SIZE_OFFSET, 8),
                Arguments.of("tpacket_req.tp_frame_nr", KernelStructs.TpacketReq.FRAME_NR_OFFSET, 12),
                // tpacket2_hdr 32 B: status@0, len@4, snaplen@8, mac u16@12, net u16@14, sec@16, nsec@20,
                // vlan_tci u16@24, vlan_tpid u16@26, padding[4]@28
                Arguments.of("tpacket2_hdr.tp_status", KernelStructs.Tpacket2Hdr.STATUS_OFFSET, 0),
                Arguments.of("tpacket2_hdr.tp_len", KernelStructs.Tpacket2Hdr.LEN_OFFSET, 4),
                Arguments.of("tpacket2_hdr.tp_snaplen", KernelStructs.Tpacket2Hdr.SNAPLEN_OFFSET, 8),
                Arguments.of("tpacket2_hdr.tp_mac", KernelStructs.Tpacket2Hdr.MAC_OFFSET, 12),
                Arguments.of("tpacket2_hdr.tp_net", KernelStructs.Tpacket2Hdr.NET_OFFSET, 14),
                Arguments.of("tpacket2_hdr.tp_sec", KernelStructs.Tpacket2Hdr.SEC_OFFSET, 16),
                Arguments.of("tpacket2_hdr.tp_nsec", KernelStructs.Tpacket2Hdr.NSEC_OFFSET, 20),
                Arguments.of("tpacket2_hdr.tp_vlan_tci", KernelStructs.Tpacket2Hdr.VLAN_TCI_OFFSET, 24),
                Arguments.of("tpacket2_hdr.tp_vlan_tpid", KernelStructs.Tpacket2Hdr.VLAN_TPID_OFFSET, 26),
                Arguments.of("tpacket2_hdr.tp_padding", KernelStructs.offset(KernelStructs.Tpacket2Hdr.LAYOUT,
                        "tp_padding"), 28),
                // V2 TX frame data at slot + 32 (TPACKET2_HDRLEN 52 - sizeof(sockaddr_ll) 20)
                Arguments.of("V2 TX data offset", (long) KernelStructs.Tpacket2Hdr.TX_DATA_OFFSET, 32),
                Arguments.of("TpacketVersion.V2 TX data offset", (long) TpacketVersion.V2.txDataOffset(), 32),
                Arguments.of("TpacketVersion.V3 TX data offset", (long) TpacketVersion.V3.txDataOffset(), 48),
                // tpacket_req3 28 B, all u32 in order
                Arguments.of("tpacket_req3.tp_block_size", KernelStructs.TpacketReq3.BLOCK_SIZE_OFFSET, 0),
                Arguments.of("tpacket_req3.tp_block_nr", KernelStructs.TpacketReq3.BLOCK_NR_OFFSET, 4),
                Arguments.of("tpacket_req3.tp_frame_size", KernelStructs.TpacketReq3.FRAME_SIZE_OFFSET, 8),
                Arguments.of("tpacket_req3.tp_frame_nr", KernelStructs.TpacketReq3.FRAME_NR_OFFSET, 12),
                Arguments.of("tpacket_req3.tp_retire_blk_tov", KernelStructs.TpacketReq3.RETIRE_BLK_TOV_OFFSET, 16),
                Arguments.of("tpacket_req3.tp_sizeof_priv", KernelStructs.TpacketReq3.SIZEOF_PRIV_OFFSET, 20),
                Arguments.of("tpacket_req3.tp_feature_req_word", KernelStructs.TpacketReq3.FEATURE_REQ_WORD_OFFSET, 24),
                // tpacket_block_desc: version@0, offset_to_priv@4, block_status@8, num_pkts@12,
                // offset_to_first_pkt@16, blk_len@20, seq_num u64@24, ts_first@32, ts_last@40
                Arguments.of("tpacket_block_desc.version", KernelStructs.offset(KernelStructs.TpacketBlockDesc.LAYOUT,
                        "version"), 0),
                Arguments.of("tpacket_block_desc.offset_to_priv", KernelStructs.offset(
                        KernelStructs.TpacketBlockDesc.LAYOUT, "offset_to_priv"), 4),
                Arguments.of("tpacket_block_desc.hdr.bh1.block_status",
                        KernelStructs.TpacketBlockDesc.BLOCK_STATUS_OFFSET, 8),
                Arguments.of("tpacket_block_desc.hdr.bh1.num_pkts", KernelStructs.TpacketBlockDesc.NUM_PKTS_OFFSET, 12),
                Arguments.of("tpacket_block_desc.hdr.bh1.offset_to_first_pkt",
                        KernelStructs.TpacketBlockDesc.OFFSET_TO_FIRST_PKT_OFFSET, 16),
                Arguments.of("tpacket_block_desc.hdr.bh1.blk_len", KernelStructs.TpacketBlockDesc.BLK_LEN_OFFSET, 20),
                Arguments.of("tpacket_block_desc.hdr.bh1.seq_num", KernelStructs.TpacketBlockDesc.SEQ_NUM_OFFSET, 24),
                Arguments.of("tpacket_block_desc.hdr.bh1.ts_first_pkt", KernelStructs.offset(
                        KernelStructs.TpacketBlockDesc.LAYOUT, "hdr", "bh1", "ts_first_pkt"), 32),
                Arguments.of("tpacket_block_desc.hdr.bh1.ts_last_pkt", KernelStructs.offset(
                        KernelStructs.TpacketBlockDesc.LAYOUT, "hdr", "bh1", "ts_last_pkt"), 40),
                // tpacket3_hdr 48 B: next_offset@0, sec@4, nsec@8, snaplen@12, len@16, status@20,
                // mac u16@24, net u16@26, rxhash@28, vlan_tci@32, vlan_tpid u16@36
                Arguments.of("tpacket3_hdr.tp_next_offset", KernelStructs.Tpacket3Hdr.NEXT_OFFSET_OFFSET, 0),
                Arguments.of("tpacket3_hdr.tp_sec", KernelStructs.Tpacket3Hdr.SEC_OFFSET, 4),
                Arguments.of("tpacket3_hdr.tp_nsec", KernelStructs.Tpacket3Hdr.NSEC_OFFSET, 8),
                Arguments.of("tpacket3_hdr.tp_snaplen", KernelStructs.Tpacket3Hdr.SNAPLEN_OFFSET, 12),
                Arguments.of("tpacket3_hdr.tp_len", KernelStructs.Tpacket3Hdr.LEN_OFFSET, 16),
                Arguments.of("tpacket3_hdr.tp_status", KernelStructs.Tpacket3Hdr.STATUS_OFFSET, 20),
                Arguments.of("tpacket3_hdr.tp_mac", KernelStructs.Tpacket3Hdr.MAC_OFFSET, 24),
                Arguments.of("tpacket3_hdr.tp_net", KernelStructs.Tpacket3Hdr.NET_OFFSET, 26),
                Arguments.of("tpacket3_hdr.hv1.tp_rxhash", KernelStructs.Tpacket3Hdr.RXHASH_OFFSET, 28),
                Arguments.of("tpacket3_hdr.hv1.tp_vlan_tci", KernelStructs.Tpacket3Hdr.VLAN_TCI_OFFSET, 32),
                Arguments.of("tpacket3_hdr.hv1.tp_vlan_tpid", KernelStructs.Tpacket3Hdr.VLAN_TPID_OFFSET, 36),
                // TX frame data at slot + 48 (TPACKET3_HDRLEN 68 - sizeof(sockaddr_ll) 20)
                Arguments.of("TX data offset", (long) KernelStructs.Tpacket3Hdr.TX_DATA_OFFSET, 48),
                // tpacket_stats_v3, sock_filter, sock_fprog, pollfd, virtio_net_hdr: standard C layouts
                Arguments.of("tpacket_stats_v3.tp_drops", KernelStructs.TpacketStatsV3.DROPS_OFFSET, 4),
                Arguments.of("tpacket_stats_v3.tp_freeze_q_cnt", KernelStructs.TpacketStatsV3.FREEZE_Q_CNT_OFFSET, 8),
                Arguments.of("sock_filter.jt", KernelStructs.SockFilter.JT_OFFSET, 2),
                Arguments.of("sock_filter.jf", KernelStructs.SockFilter.JF_OFFSET, 3),
                Arguments.of("sock_filter.k", KernelStructs.SockFilter.K_OFFSET, 4),
                Arguments.of("sock_fprog.filter", KernelStructs.SockFprog.FILTER_OFFSET, 8),
                Arguments.of("pollfd.events", KernelStructs.PollFd.EVENTS_OFFSET, 4),
                Arguments.of("pollfd.revents", KernelStructs.PollFd.REVENTS_OFFSET, 6),
                Arguments.of("virtio_net_hdr.gso_type", KernelStructs.VirtioNetHdr.GSO_TYPE_OFFSET, 1),
                Arguments.of("virtio_net_hdr.hdr_len", KernelStructs.VirtioNetHdr.HDR_LEN_OFFSET, 2),
                Arguments.of("virtio_net_hdr.gso_size", KernelStructs.VirtioNetHdr.GSO_SIZE_OFFSET, 4),
                Arguments.of("virtio_net_hdr.csum_start", KernelStructs.VirtioNetHdr.CSUM_START_OFFSET, 6),
                Arguments.of("virtio_net_hdr.csum_offset", KernelStructs.VirtioNetHdr.CSUM_OFFSET_OFFSET, 8),
                Arguments.of("ifreq.ifr_hwaddr.sa_data", KernelStructs.IfReq.HWADDR_DATA_OFFSET, 18),
                Arguments.of("ifreq.ifr_mtu", KernelStructs.IfReq.MTU_OFFSET, 16),
                Arguments.of("sched_param.sched_priority", KernelStructs.SchedParam.PRIORITY_OFFSET, 0),
                // sockaddr_un 110 B: family u16@0, path[108]@2
                Arguments.of("sockaddr_un.sun_family", KernelStructs.SockaddrUn.FAMILY_OFFSET, 0),
                Arguments.of("sockaddr_un.sun_path", KernelStructs.SockaddrUn.PATH_OFFSET, 2));
    }

    @ParameterizedTest(name = "offsetof({0}) = {2}")
    @MethodSource("memberOffsets")
    void memberSitsAtTheDocumentedOffset(String member, long actualOffset, long expectedOffset) {
        assertEquals(expectedOffset, actualOffset, member);
    }

    static List<Arguments> constants() {
        return List.of(
                Arguments.of("AF_PACKET", KernelConstants.AF_PACKET, 17),
                Arguments.of("SOCK_RAW", KernelConstants.SOCK_RAW, 3),
                Arguments.of("SOCK_DGRAM", KernelConstants.SOCK_DGRAM, 2),
                Arguments.of("AF_UNIX", KernelConstants.AF_UNIX, 1),
                Arguments.of("SOCK_NONBLOCK", KernelConstants.SOCK_NONBLOCK, 0x800),
                Arguments.of("AF_INET", KernelConstants.AF_INET, 2),
                Arguments.of("IPPROTO_ICMP", KernelConstants.IPPROTO_ICMP, 1),
                Arguments.of("TCP_NODELAY", KernelConstants.TCP_NODELAY, 1),
                Arguments.of("SOL_RAW", KernelConstants.SOL_RAW, 255),
                Arguments.of("ICMP_FILTER", KernelConstants.ICMP_FILTER, 1),
                Arguments.of("ETH_P_ARP", KernelConstants.ETH_P_ARP, 0x0806),
                Arguments.of("ETH_P_ALL", KernelConstants.ETH_P_ALL, 0x0003),
                Arguments.of("SOL_PACKET", KernelConstants.SOL_PACKET, 263),
                Arguments.of("PACKET_ADD_MEMBERSHIP", KernelConstants.PACKET_ADD_MEMBERSHIP, 1),
                Arguments.of("PACKET_MR_PROMISC", KernelConstants.PACKET_MR_PROMISC, 1),
                Arguments.of("PACKET_RX_RING", KernelConstants.PACKET_RX_RING, 5),
                Arguments.of("PACKET_STATISTICS", KernelConstants.PACKET_STATISTICS, 6),
                Arguments.of("PACKET_AUXDATA", KernelConstants.PACKET_AUXDATA, 8),
                Arguments.of("PACKET_VERSION", KernelConstants.PACKET_VERSION, 10),
                Arguments.of("PACKET_TX_RING", KernelConstants.PACKET_TX_RING, 13),
                Arguments.of("PACKET_VNET_HDR", KernelConstants.PACKET_VNET_HDR, 15),
                Arguments.of("PACKET_FANOUT", KernelConstants.PACKET_FANOUT, 18),
                Arguments.of("PACKET_QDISC_BYPASS", KernelConstants.PACKET_QDISC_BYPASS, 20),
                Arguments.of("PACKET_IGNORE_OUTGOING", KernelConstants.PACKET_IGNORE_OUTGOING, 23),
                Arguments.of("TPACKET_V2", KernelConstants.TPACKET_V2, 1),
                Arguments.of("TPACKET_V3", KernelConstants.TPACKET_V3, 2),
                Arguments.of("TpacketVersion.V2", TpacketVersion.V2.code(), 1),
                Arguments.of("TpacketVersion.V3", TpacketVersion.V3.code(), 2),
                Arguments.of("TPACKET2_HDRLEN", KernelConstants.TPACKET2_HDRLEN, 52),
                Arguments.of("TP_STATUS_USER", KernelConstants.TP_STATUS_USER, 1),
                Arguments.of("TP_STATUS_SEND_REQUEST", KernelConstants.TP_STATUS_SEND_REQUEST, 1),
                Arguments.of("TP_STATUS_WRONG_FORMAT", KernelConstants.TP_STATUS_WRONG_FORMAT, 4),
                Arguments.of("TP_STATUS_CSUMNOTREADY", KernelConstants.TP_STATUS_CSUMNOTREADY, 0x8),
                Arguments.of("TP_STATUS_VLAN_VALID", KernelConstants.TP_STATUS_VLAN_VALID, 0x10),
                Arguments.of("MSG_DONTWAIT", KernelConstants.MSG_DONTWAIT, 0x40),
                Arguments.of("AF_XDP", KernelConstants.AF_XDP, 44),
                Arguments.of("TPACKET3_HDRLEN", KernelConstants.TPACKET3_HDRLEN, 68));
    }

    @ParameterizedTest(name = "{0} = {2}")
    @MethodSource("constants")
    void constantHasTheDocumentedValue(String name, int actual, int expected) {
        assertEquals(expected, actual, name);
    }

    @Test
    void sockaddrInPortAndAddressAreNetworkOrder() {
        var port = (ValueLayout) KernelStructs.SockaddrIn.LAYOUT.select(PathElement.groupElement("sin_port"));
        var address = (ValueLayout) KernelStructs.SockaddrIn.LAYOUT.select(PathElement.groupElement("sin_addr"),
                PathElement.groupElement("s_addr"));
        var family = (ValueLayout) KernelStructs.SockaddrIn.LAYOUT.select(PathElement.groupElement("sin_family"));
        assertEquals(ByteOrder.BIG_ENDIAN, port.order());
        assertEquals(ByteOrder.BIG_ENDIAN, address.order());
        assertEquals(ByteOrder.nativeOrder(), family.order());
    }

    @Test
    void sockaddrLlProtocolIsTheOnlyNetworkOrderMember() {
        var protocol = (ValueLayout) KernelStructs.SockaddrLl.LAYOUT.select(PathElement.groupElement("sll_protocol"));
        assertEquals(ByteOrder.BIG_ENDIAN, protocol.order());
        var ifindex = (ValueLayout) KernelStructs.SockaddrLl.LAYOUT.select(PathElement.groupElement("sll_ifindex"));
        assertEquals(ByteOrder.nativeOrder(), ifindex.order());
    }
}
