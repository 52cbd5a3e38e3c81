package dev.baton.nativeio;

import dev.baton.codec.NetworkOrder;
import dev.baton.codec.VirtioNetHeaderFlyweight;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The kernel structs Baton exchanges with the kernel, as FFM {@link StructLayout}s on Linux x86_64.
 *
 * <p>Each struct is a nested class holding its {@code LAYOUT} and the byte offsets the code uses,
 * all derived from the layout with {@code byteOffset(...)} so a number is written down once. A
 * layout's name is the C struct tag and each member is named exactly as in the C header (nested
 * members by their C path, e.g. {@code hdr.bh1.block_status}); that lets
 * {@code KernelHeadersCrossCheckTest} print {@code sizeof}/{@code offsetof} of every member from the
 * real headers and compare, which is how layouts are pinned without a C compiler in the build.
 *
 * <p>Integer members are host-order ({@code __u32} etc.); the only network-order members are
 * {@code sockaddr_ll.sll_protocol} and {@code sockaddr_in}'s port and address. {@code virtio_net_hdr} fields are {@code __virtio16}, which
 * packet sockets treat as host order ({@code vio_le()} on little-endian hosts).
 */
public final class KernelStructs {
    private KernelStructs() {
    }

    /** A {@code __be16} member: network order, aligned like the C member (2 bytes), unlike a header field. */
    private static final ValueLayout.OfShort BE_SHORT = NetworkOrder.SHORT.withByteAlignment(Short.BYTES);
    /** A {@code __be32} member ({@code in_addr_t}): network order, aligned like the C member (4 bytes). */
    private static final ValueLayout.OfInt BE_INT = NetworkOrder.INT.withByteAlignment(Integer.BYTES);

    /** {@code struct sockaddr_ll} (linux/if_packet.h): the link-level address a packet socket binds to. */
    public static final class SockaddrLl {
        private SockaddrLl() {
        }

        /** The layout; 20 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_SHORT.withName("sll_family"),
                BE_SHORT.withName("sll_protocol"),
                JAVA_INT.withName("sll_ifindex"),
                JAVA_SHORT.withName("sll_hatype"),
                JAVA_BYTE.withName("sll_pkttype"),
                JAVA_BYTE.withName("sll_halen"),
                MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sll_addr")).withName("sockaddr_ll");
        /** {@code sll_family} (u16): {@link KernelConstants#AF_PACKET}. */
        public static final long FAMILY_OFFSET = offset(LAYOUT, "sll_family");
        /** {@code sll_protocol} (be16): the EtherType to receive. */
        public static final long PROTOCOL_OFFSET = offset(LAYOUT, "sll_protocol");
        /** {@code sll_ifindex} (i32). */
        public static final long IFINDEX_OFFSET = offset(LAYOUT, "sll_ifindex");
        /** {@code sll_hatype} (u16). */
        public static final long HATYPE_OFFSET = offset(LAYOUT, "sll_hatype");
        /** {@code sll_pkttype} (u8). */
        public static final long PKTTYPE_OFFSET = offset(LAYOUT, "sll_pkttype");
        /** {@code sll_halen} (u8). */
        public static final long HALEN_OFFSET = offset(LAYOUT, "sll_halen");
        /** {@code sll_addr} (u8[8]). */
        public static final long ADDR_OFFSET = offset(LAYOUT, "sll_addr");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /**
     * {@code struct sockaddr_in} (netinet/in.h): an IPv4 address and port, for {@code bind} and {@code sendto}
     * on a raw ICMP socket. Port and address are in network order.
     */
    public static final class SockaddrIn {
        private SockaddrIn() {
        }

        /** {@code struct in_addr}: one network-order 32-bit address. */
        public static final StructLayout IN_ADDR = MemoryLayout.structLayout(
                BE_INT.withName("s_addr")).withName("in_addr");

        /** The layout; 16 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_SHORT.withName("sin_family"),
                BE_SHORT.withName("sin_port"),
                IN_ADDR.withName("sin_addr"),
                MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero")).withName("sockaddr_in");
        /** {@code sin_family} (u16): {@link KernelConstants#AF_INET}. */
        public static final long FAMILY_OFFSET = offset(LAYOUT, "sin_family");
        /** {@code sin_port} (be16); 0 for raw sockets. */
        public static final long PORT_OFFSET = offset(LAYOUT, "sin_port");
        /** {@code sin_addr.s_addr} (be32). */
        public static final long ADDRESS_OFFSET = offset(LAYOUT, "sin_addr", "s_addr");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /**
     * {@code struct sockaddr_in6} (netinet/in.h): an IPv6 address and port, for a health check's {@code bind} and
     * {@code connect}. Port and address are in network order; the scope id (host order) names the interface of a
     * link-local address.
     */
    public static final class SockaddrIn6 {
        private SockaddrIn6() {
        }

        /** The layout; 28 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_SHORT.withName("sin6_family"),
                BE_SHORT.withName("sin6_port"),
                BE_INT.withName("sin6_flowinfo"),
                MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
                JAVA_INT.withName("sin6_scope_id")).withName("sockaddr_in6");
        /** {@code sin6_family} (u16): {@link KernelConstants#AF_INET6}. */
        public static final long FAMILY_OFFSET = offset(LAYOUT, "sin6_family");
        /** {@code sin6_port} (be16). */
        public static final long PORT_OFFSET = offset(LAYOUT, "sin6_port");
        /** {@code sin6_flowinfo} (be32); 0. */
        public static final long FLOWINFO_OFFSET = offset(LAYOUT, "sin6_flowinfo");
        /** {@code sin6_addr}: 16 bytes, network order. */
        public static final long ADDRESS_OFFSET = offset(LAYOUT, "sin6_addr");
        /** {@code sin6_scope_id} (u32): the interface index of a link-local address, else 0. */
        public static final long SCOPE_ID_OFFSET = offset(LAYOUT, "sin6_scope_id");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /**
     * {@code struct sockaddr_un} (sys/un.h): a Unix domain socket's address, for {@code sendto} to systemd's
     * notification socket. {@code sun_path} holds a file system path, NUL-terminated, or an abstract name: a NUL byte
     * first, then the name, whose length is given by the address length alone (unix(7), "Abstract sockets").
     */
    public static final class SockaddrUn {
        private SockaddrUn() {
        }

        /** The layout; 110 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_SHORT.withName("sun_family"),
                MemoryLayout.sequenceLayout(108, JAVA_BYTE).withName("sun_path")).withName("sockaddr_un");
        /** {@code sun_family} (u16): {@link KernelConstants#AF_UNIX}. */
        public static final long FAMILY_OFFSET = offset(LAYOUT, "sun_family");
        /** {@code sun_path}: 108 bytes. */
        public static final long PATH_OFFSET = offset(LAYOUT, "sun_path");
        /** The bytes of {@code sun_path}: a path takes at most 107 and its NUL, an abstract name at most 107 after its NUL. */
        public static final int PATH_LENGTH = 108;
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /**
     * {@code struct linger} (sys/socket.h): the {@code SO_LINGER} option. On with a zero time, {@code close}
     * resets the connection instead of closing it gracefully (socket(7)).
     */
    public static final class Linger {
        private Linger() {
        }

        /** The layout; 8 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("l_onoff"),
                JAVA_INT.withName("l_linger")).withName("linger");
        /** {@code l_onoff}: non-zero to linger. */
        public static final long ON_OFFSET = offset(LAYOUT, "l_onoff");
        /** {@code l_linger}: seconds; 0 with {@code l_onoff} set means reset on close. */
        public static final long SECONDS_OFFSET = offset(LAYOUT, "l_linger");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /**
     * {@code struct epoll_event} (sys/epoll.h): what {@code epoll_ctl} registers and {@code epoll_wait} returns.
     * Packed on x86_64 ({@code __EPOLL_PACKED}): the 64-bit {@code data} sits at offset 4 and an element is
     * 12 bytes, so arrays of it are not 8-byte strided.
     */
    public static final class EpollEvent {
        private EpollEvent() {
        }

        /** The layout; 12 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("events"),
                ValueLayout.JAVA_LONG_UNALIGNED.withName("data")).withName("epoll_event");
        /** {@code events} (u32): the {@code EPOLL*} mask. */
        public static final long EVENTS_OFFSET = offset(LAYOUT, "events");
        /** {@code data} (u64): the caller's word, returned with every event of the descriptor. */
        public static final long DATA_OFFSET = offset(LAYOUT, "data");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /** {@code struct packet_mreq} (linux/if_packet.h): argument of {@code PACKET_ADD_MEMBERSHIP}. */
    public static final class PacketMreq {
        private PacketMreq() {
        }

        /** The layout; 16 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("mr_ifindex"),
                JAVA_SHORT.withName("mr_type"),
                JAVA_SHORT.withName("mr_alen"),
                MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("mr_address")).withName("packet_mreq");
        /** {@code mr_ifindex} (i32). */
        public static final long IFINDEX_OFFSET = offset(LAYOUT, "mr_ifindex");
        /** {@code mr_type} (u16), e.g. {@link KernelConstants#PACKET_MR_PROMISC}. */
        public static final long TYPE_OFFSET = offset(LAYOUT, "mr_type");
        /** {@code mr_alen} (u16). */
        public static final long ALEN_OFFSET = offset(LAYOUT, "mr_alen");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /** {@code struct tpacket_req3} (linux/if_packet.h): ring geometry for {@code PACKET_RX_RING/TX_RING}. */
    public static final class TpacketReq3 {
        private TpacketReq3() {
        }

        /** The layout; 28 bytes, all u32. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("tp_block_size"),
                JAVA_INT.withName("tp_block_nr"),
                JAVA_INT.withName("tp_frame_size"),
                JAVA_INT.withName("tp_frame_nr"),
                JAVA_INT.withName("tp_retire_blk_tov"),
                JAVA_INT.withName("tp_sizeof_priv"),
                JAVA_INT.withName("tp_feature_req_word")).withName("tpacket_req3");
        /** {@code tp_block_size}: bytes per block, a multiple of the page size. */
        public static final long BLOCK_SIZE_OFFSET = offset(LAYOUT, "tp_block_size");
        /** {@code tp_block_nr}: number of blocks. */
        public static final long BLOCK_NR_OFFSET = offset(LAYOUT, "tp_block_nr");
        /** {@code tp_frame_size}: bytes per frame slot. */
        public static final long FRAME_SIZE_OFFSET = offset(LAYOUT, "tp_frame_size");
        /** {@code tp_frame_nr}: number of frame slots; must equal blocks times frames per block. */
        public static final long FRAME_NR_OFFSET = offset(LAYOUT, "tp_frame_nr");
        /** {@code tp_retire_blk_tov}: RX block timeout in ms (0 on TX). */
        public static final long RETIRE_BLK_TOV_OFFSET = offset(LAYOUT, "tp_retire_blk_tov");
        /** {@code tp_sizeof_priv}: private area per block (0 on TX). */
        public static final long SIZEOF_PRIV_OFFSET = offset(LAYOUT, "tp_sizeof_priv");
        /** {@code tp_feature_req_word}: feature requests (0 on TX). */
        public static final long FEATURE_REQ_WORD_OFFSET = offset(LAYOUT, "tp_feature_req_word");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /**
     * {@code struct tpacket_req} (linux/if_packet.h): ring geometry for {@code PACKET_RX_RING/TX_RING}
     * on a TPACKET_V1/V2 socket (the kernel reads only these 16 bytes there).
     */
    public static final class TpacketReq {
        private TpacketReq() {
        }

        /** The layout; 16 bytes, all u32. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("tp_block_size"),
                JAVA_INT.withName("tp_block_nr"),
                JAVA_INT.withName("tp_frame_size"),
                JAVA_INT.withName("tp_frame_nr")).withName("tpacket_req");
        /** {@code tp_block_size}: bytes per block, a multiple of the page size. */
        public static final long BLOCK_SIZE_OFFSET = offset(LAYOUT, "tp_block_size");
        /** {@code tp_block_nr}: number of blocks. */
        public static final long BLOCK_NR_OFFSET = offset(LAYOUT, "tp_block_nr");
        /** {@code tp_frame_size}: bytes per frame slot; slots never straddle blocks. */
        public static final long FRAME_SIZE_OFFSET = offset(LAYOUT, "tp_frame_size");
        /** {@code tp_frame_nr}: number of frame slots; must equal blocks times frames per block. */
        public static final long FRAME_NR_OFFSET = offset(LAYOUT, "tp_frame_nr");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /**
     * {@code struct tpacket2_hdr} (linux/if_packet.h): the header at the start of every V2 frame slot,
     * RX and TX. Its {@code tp_status} is the slot's owner word.
     */
    public static final class Tpacket2Hdr {
        private Tpacket2Hdr() {
        }

        /** The layout; 32 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("tp_status"),
                JAVA_INT.withName("tp_len"),
                JAVA_INT.withName("tp_snaplen"),
                JAVA_SHORT.withName("tp_mac"),
                JAVA_SHORT.withName("tp_net"),
                JAVA_INT.withName("tp_sec"),
                JAVA_INT.withName("tp_nsec"),
                JAVA_SHORT.withName("tp_vlan_tci"),
                JAVA_SHORT.withName("tp_vlan_tpid"),
                MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("tp_padding")).withName("tpacket2_hdr");
        /** {@code tp_status}: TP_STATUS_* flags (RX) or the slot owner (TX). */
        public static final long STATUS_OFFSET = offset(LAYOUT, "tp_status");
        /** {@code tp_len}: RX: length on the wire; TX: bytes to send (including a virtio header). */
        public static final long LEN_OFFSET = offset(LAYOUT, "tp_len");
        /** {@code tp_snaplen}: bytes captured in the slot. */
        public static final long SNAPLEN_OFFSET = offset(LAYOUT, "tp_snaplen");
        /** {@code tp_mac} (u16): from the header to the link-layer header. */
        public static final long MAC_OFFSET = offset(LAYOUT, "tp_mac");
        /** {@code tp_net} (u16): from the header to the network header. */
        public static final long NET_OFFSET = offset(LAYOUT, "tp_net");
        /** {@code tp_sec}. */
        public static final long SEC_OFFSET = offset(LAYOUT, "tp_sec");
        /** {@code tp_nsec}. */
        public static final long NSEC_OFFSET = offset(LAYOUT, "tp_nsec");
        /** {@code tp_vlan_tci} (u16): valid with {@link KernelConstants#TP_STATUS_VLAN_VALID}. */
        public static final long VLAN_TCI_OFFSET = offset(LAYOUT, "tp_vlan_tci");
        /** {@code tp_vlan_tpid} (u16). */
        public static final long VLAN_TPID_OFFSET = offset(LAYOUT, "tp_vlan_tpid");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
        /**
         * Where TX frame data starts in a V2 slot: {@code TPACKET2_HDRLEN - sizeof(sockaddr_ll)} = 32
         * (net/packet/af_packet.c, tpacket_parse_header without PACKET_TX_HAS_OFF).
         */
        public static final int TX_DATA_OFFSET = KernelConstants.TPACKET2_HDRLEN - SockaddrLl.SIZE;
    }

    /**
     * {@code struct tpacket_block_desc} with its {@code hdr.bh1} ({@code struct tpacket_hdr_v1}): the
     * header at the start of every TPACKET_V3 RX block.
     */
    public static final class TpacketBlockDesc {
        private TpacketBlockDesc() {
        }

        /** {@code struct tpacket_bd_ts}: seconds and nanoseconds (a union with usec in C). */
        public static final StructLayout TPACKET_BD_TS = MemoryLayout.structLayout(
                JAVA_INT.withName("ts_sec"),
                JAVA_INT.withName("ts_nsec")).withName("tpacket_bd_ts");
        /** {@code struct tpacket_hdr_v1}: the V3 block header proper. */
        public static final StructLayout TPACKET_HDR_V1 = MemoryLayout.structLayout(
                JAVA_INT.withName("block_status"),
                JAVA_INT.withName("num_pkts"),
                JAVA_INT.withName("offset_to_first_pkt"),
                JAVA_INT.withName("blk_len"),
                JAVA_LONG.withName("seq_num"),
                TPACKET_BD_TS.withName("ts_first_pkt"),
                TPACKET_BD_TS.withName("ts_last_pkt")).withName("tpacket_hdr_v1");
        /** The layout; 48 bytes. {@code hdr} is a union whose only member is {@code bh1}. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("version"),
                JAVA_INT.withName("offset_to_priv"),
                MemoryLayout.unionLayout(TPACKET_HDR_V1.withName("bh1")).withName("hdr"))
                .withName("tpacket_block_desc");
        /** {@code hdr.bh1.block_status}: {@link KernelConstants#TP_STATUS_USER} when user space owns the block. */
        public static final long BLOCK_STATUS_OFFSET = offset(LAYOUT, "hdr", "bh1", "block_status");
        /** {@code hdr.bh1.num_pkts}: frames in the block. */
        public static final long NUM_PKTS_OFFSET = offset(LAYOUT, "hdr", "bh1", "num_pkts");
        /** {@code hdr.bh1.offset_to_first_pkt}: from the block start. */
        public static final long OFFSET_TO_FIRST_PKT_OFFSET = offset(LAYOUT, "hdr", "bh1", "offset_to_first_pkt");
        /** {@code hdr.bh1.blk_len}: bytes used in the block. */
        public static final long BLK_LEN_OFFSET = offset(LAYOUT, "hdr", "bh1", "blk_len");
        /** {@code hdr.bh1.seq_num} (u64): block sequence number. */
        public static final long SEQ_NUM_OFFSET = offset(LAYOUT, "hdr", "bh1", "seq_num");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /** {@code struct tpacket3_hdr} (linux/if_packet.h): the header before every V3 frame, RX and TX. */
    public static final class Tpacket3Hdr {
        private Tpacket3Hdr() {
        }

        /** {@code struct tpacket_hdr_variant1}: RX hash and VLAN (an anonymous union member in C). */
        public static final StructLayout TPACKET_HDR_VARIANT1 = MemoryLayout.structLayout(
                JAVA_INT.withName("tp_rxhash"),
                JAVA_INT.withName("tp_vlan_tci"),
                JAVA_SHORT.withName("tp_vlan_tpid"),
                JAVA_SHORT.withName("tp_padding")).withName("tpacket_hdr_variant1");
        /** The layout; 48 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("tp_next_offset"),
                JAVA_INT.withName("tp_sec"),
                JAVA_INT.withName("tp_nsec"),
                JAVA_INT.withName("tp_snaplen"),
                JAVA_INT.withName("tp_len"),
                JAVA_INT.withName("tp_status"),
                JAVA_SHORT.withName("tp_mac"),
                JAVA_SHORT.withName("tp_net"),
                TPACKET_HDR_VARIANT1.withName("hv1"),
                MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("tp_padding")).withName("tpacket3_hdr");
        /** {@code tp_next_offset}: RX: to the next frame of the block, 0 for the last; TX: must be 0. */
        public static final long NEXT_OFFSET_OFFSET = offset(LAYOUT, "tp_next_offset");
        /** {@code tp_sec}. */
        public static final long SEC_OFFSET = offset(LAYOUT, "tp_sec");
        /** {@code tp_nsec}. */
        public static final long NSEC_OFFSET = offset(LAYOUT, "tp_nsec");
        /** {@code tp_snaplen}: bytes captured in the ring. */
        public static final long SNAPLEN_OFFSET = offset(LAYOUT, "tp_snaplen");
        /** {@code tp_len}: RX: length on the wire; TX: bytes to send (including a virtio header). */
        public static final long LEN_OFFSET = offset(LAYOUT, "tp_len");
        /** {@code tp_status}: TP_STATUS_* flags (RX) or the slot owner (TX). */
        public static final long STATUS_OFFSET = offset(LAYOUT, "tp_status");
        /** {@code tp_mac} (u16): from the header to the link-layer header. */
        public static final long MAC_OFFSET = offset(LAYOUT, "tp_mac");
        /** {@code tp_net} (u16): from the header to the network header. */
        public static final long NET_OFFSET = offset(LAYOUT, "tp_net");
        /** {@code hv1.tp_rxhash}. */
        public static final long RXHASH_OFFSET = offset(LAYOUT, "hv1", "tp_rxhash");
        /** {@code hv1.tp_vlan_tci}: valid with {@link KernelConstants#TP_STATUS_VLAN_VALID}. */
        public static final long VLAN_TCI_OFFSET = offset(LAYOUT, "hv1", "tp_vlan_tci");
        /** {@code hv1.tp_vlan_tpid} (u16). */
        public static final long VLAN_TPID_OFFSET = offset(LAYOUT, "hv1", "tp_vlan_tpid");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
        /**
         * Where TX frame data starts in a slot: {@code TPACKET3_HDRLEN - sizeof(sockaddr_ll)} = 48
         * (net/packet/af_packet.c, tpacket_parse_header without PACKET_TX_HAS_OFF).
         */
        public static final int TX_DATA_OFFSET = KernelConstants.TPACKET3_HDRLEN - SockaddrLl.SIZE;
    }

    /**
     * {@code struct tpacket_stats} (linux/if_packet.h): {@code PACKET_STATISTICS} on a V1/V2 socket, the
     * first 8 bytes of {@link TpacketStatsV3}; the kernel writes only these there.
     */
    public static final class TpacketStats {
        private TpacketStats() {
        }

        /** The layout; 8 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("tp_packets"),
                JAVA_INT.withName("tp_drops")).withName("tpacket_stats");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /** {@code struct tpacket_stats_v3} (linux/if_packet.h): {@code PACKET_STATISTICS} on a V3 socket. */
    public static final class TpacketStatsV3 {
        private TpacketStatsV3() {
        }

        /** The layout; 12 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("tp_packets"),
                JAVA_INT.withName("tp_drops"),
                JAVA_INT.withName("tp_freeze_q_cnt")).withName("tpacket_stats_v3");
        /** {@code tp_packets}: frames seen, including the dropped ones. */
        public static final long PACKETS_OFFSET = offset(LAYOUT, "tp_packets");
        /** {@code tp_drops}: frames dropped for lack of ring space. */
        public static final long DROPS_OFFSET = offset(LAYOUT, "tp_drops");
        /** {@code tp_freeze_q_cnt}: times the RX queue froze because every block was user-owned. */
        public static final long FREEZE_Q_CNT_OFFSET = offset(LAYOUT, "tp_freeze_q_cnt");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /** {@code struct sched_param} (sched.h): {@code sched_setscheduler(2)}'s priority. */
    public static final class SchedParam {
        private SchedParam() {
        }

        /** The layout; 4 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("sched_priority")).withName("sched_param");
        /** {@code sched_priority}: 1 (lowest) to 99 for SCHED_FIFO and SCHED_RR, 0 otherwise. */
        public static final long PRIORITY_OFFSET = offset(LAYOUT, "sched_priority");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /** {@code struct sock_filter} (linux/filter.h): one classic BPF instruction. */
    public static final class SockFilter {
        private SockFilter() {
        }

        /** The layout; 8 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_SHORT.withName("code"),
                JAVA_BYTE.withName("jt"),
                JAVA_BYTE.withName("jf"),
                JAVA_INT.withName("k")).withName("sock_filter");
        /** {@code code} (u16): opcode. */
        public static final long CODE_OFFSET = offset(LAYOUT, "code");
        /** {@code jt} (u8): jump if true. */
        public static final long JT_OFFSET = offset(LAYOUT, "jt");
        /** {@code jf} (u8): jump if false. */
        public static final long JF_OFFSET = offset(LAYOUT, "jf");
        /** {@code k} (u32): the operand. */
        public static final long K_OFFSET = offset(LAYOUT, "k");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /** {@code struct sock_fprog} (linux/filter.h): a classic BPF program for setsockopt. */
    public static final class SockFprog {
        private SockFprog() {
        }

        /** The layout; 16 bytes, with C's implicit padding made explicit. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_SHORT.withName("len"),
                MemoryLayout.paddingLayout(6),
                ADDRESS.withName("filter")).withName("sock_fprog");
        /** {@code len} (u16): instruction count. */
        public static final long LEN_OFFSET = offset(LAYOUT, "len");
        /** {@code filter}: pointer to the {@code sock_filter} array. */
        public static final long FILTER_OFFSET = offset(LAYOUT, "filter");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /** {@code struct pollfd} (poll.h). */
    public static final class PollFd {
        private PollFd() {
        }

        /** The layout; 8 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("fd"),
                JAVA_SHORT.withName("events"),
                JAVA_SHORT.withName("revents")).withName("pollfd");
        /** {@code fd}. */
        public static final long FD_OFFSET = offset(LAYOUT, "fd");
        /** {@code events} (short): requested. */
        public static final long EVENTS_OFFSET = offset(LAYOUT, "events");
        /** {@code revents} (short): returned. */
        public static final long REVENTS_OFFSET = offset(LAYOUT, "revents");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /**
     * {@code struct virtio_net_hdr} (linux/virtio_net.h): what {@code PACKET_VNET_HDR} puts before each
     * RX frame and expects before each TX frame. Accessors: {@link dev.baton.codec.VirtioNetHeaderFlyweight}.
     */
    public static final class VirtioNetHdr {
        private VirtioNetHdr() {
        }

        private static final ValueLayout.OfShort VIRTIO16 = JAVA_SHORT.withOrder(ByteOrder.nativeOrder());

        /** The layout; 10 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_BYTE.withName("flags"),
                JAVA_BYTE.withName("gso_type"),
                VIRTIO16.withName("hdr_len"),
                VIRTIO16.withName("gso_size"),
                VIRTIO16.withName("csum_start"),
                VIRTIO16.withName("csum_offset")).withName("virtio_net_hdr");
        /** {@code flags} (u8): VIRTIO_NET_HDR_F_*. */
        public static final long FLAGS_OFFSET = offset(LAYOUT, "flags");
        /** {@code gso_type} (u8): VIRTIO_NET_HDR_GSO_*. */
        public static final long GSO_TYPE_OFFSET = offset(LAYOUT, "gso_type");
        /** {@code hdr_len}: Ethernet + IP + TCP/UDP header bytes. */
        public static final long HDR_LEN_OFFSET = offset(LAYOUT, "hdr_len");
        /** {@code gso_size}: payload bytes per segment. */
        public static final long GSO_SIZE_OFFSET = offset(LAYOUT, "gso_size");
        /** {@code csum_start}: from the frame start to where checksumming starts. */
        public static final long CSUM_START_OFFSET = offset(LAYOUT, "csum_start");
        /** {@code csum_offset}: from {@code csum_start} to the checksum field. */
        public static final long CSUM_OFFSET_OFFSET = offset(LAYOUT, "csum_offset");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /** {@code struct ifreq} (net/if.h): argument of the SIOCGIF* ioctls. */
    public static final class IfReq {
        private IfReq() {
        }

        /** {@code struct sockaddr}: family and 14 bytes of address. */
        public static final StructLayout SOCKADDR = MemoryLayout.structLayout(
                JAVA_SHORT.withName("sa_family"),
                MemoryLayout.sequenceLayout(14, JAVA_BYTE).withName("sa_data")).withName("sockaddr");
        private static final UnionLayout IFR_IFRU = MemoryLayout.unionLayout(
                SOCKADDR.withName("ifru_hwaddr"),
                JAVA_SHORT.withName("ifru_flags"),
                JAVA_INT.withName("ifru_ivalue"),
                JAVA_INT.withName("ifru_mtu"),
                // struct ifmap, the largest member (24 bytes); only its size matters here.
                MemoryLayout.sequenceLayout(24, JAVA_BYTE).withName("ifru_map"),
                ADDRESS.withName("ifru_data"));
        /** The layout; 40 bytes. */
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                MemoryLayout.unionLayout(
                        MemoryLayout.sequenceLayout(KernelConstants.IFNAMSIZ, JAVA_BYTE).withName("ifrn_name"))
                        .withName("ifr_ifrn"),
                IFR_IFRU.withName("ifr_ifru")).withName("ifreq");
        /** {@code ifr_name}: NUL-terminated interface name. */
        public static final long NAME_OFFSET = offset(LAYOUT, "ifr_ifrn", "ifrn_name");
        /** {@code ifr_hwaddr.sa_family}: e.g. {@link KernelConstants#ARPHRD_ETHER}. */
        public static final long HWADDR_FAMILY_OFFSET = offset(LAYOUT, "ifr_ifru", "ifru_hwaddr", "sa_family");
        /** {@code ifr_hwaddr.sa_data}: the hardware address bytes. */
        public static final long HWADDR_DATA_OFFSET = offset(LAYOUT, "ifr_ifru", "ifru_hwaddr", "sa_data");
        /** {@code ifr_flags} (short). */
        public static final long FLAGS_OFFSET = offset(LAYOUT, "ifr_ifru", "ifru_flags");
        /** {@code ifr_ifindex} (int; an alias of {@code ifru_ivalue}). */
        public static final long IFINDEX_OFFSET = offset(LAYOUT, "ifr_ifru", "ifru_ivalue");
        /** {@code ifr_mtu} (int). */
        public static final long MTU_OFFSET = offset(LAYOUT, "ifr_ifru", "ifru_mtu");
        /** {@code ifr_data}: a pointer to the command's own struct (SIOCETHTOOL). */
        public static final long DATA_OFFSET = offset(LAYOUT, "ifr_ifru", "ifru_data");
        /** Size in bytes. */
        public static final int SIZE = (int) LAYOUT.byteSize();
    }

    /**
     * {@code struct ethtool_drvinfo} (linux/ethtool.h): what {@code SIOCETHTOOL} with {@code ETHTOOL_GDRVINFO} fills,
     * the driver's name first. The XDP fast path asks it: a veth in native XDP mode needs what a NIC does not
     * (docs/operations.md, "XDP on veth").
     */
    public static final class EthtoolDrvinfo {
        private EthtoolDrvinfo() {
        }

        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("cmd"),
                MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("driver"),
                MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("version"),
                MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("fw_version"),
                MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("bus_info"),
                MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("erom_version"),
                MemoryLayout.sequenceLayout(12, JAVA_BYTE).withName("reserved2"),
                JAVA_INT.withName("n_priv_flags"),
                JAVA_INT.withName("n_stats"),
                JAVA_INT.withName("testinfo_len"),
                JAVA_INT.withName("eedump_len"),
                JAVA_INT.withName("regdump_len")).withName("ethtool_drvinfo");
        public static final long CMD_OFFSET = offset(LAYOUT, "cmd");
        public static final long DRIVER_OFFSET = offset(LAYOUT, "driver");
        public static final int DRIVER_LENGTH = 32;
    }

    /**
     * Every struct layout above, for tests that pin them all. A method, not a constant: a constant list here
     * would make the outer class's initialisation read the nested classes' layouts, and a nested class touched
     * first (its initialiser reads {@link #offset}) would then find its own layout still null.
     */
    public static List<StructLayout> all() {
        return List.of(
                SockaddrLl.LAYOUT, SockaddrIn.LAYOUT, SockaddrIn6.LAYOUT, SockaddrUn.LAYOUT, Linger.LAYOUT, EpollEvent.LAYOUT, PacketMreq.LAYOUT, TpacketReq.LAYOUT, TpacketReq3.LAYOUT,
                TpacketBlockDesc.LAYOUT, Tpacket2Hdr.LAYOUT, Tpacket3Hdr.LAYOUT, TpacketStats.LAYOUT, TpacketStatsV3.LAYOUT,
                SockFilter.LAYOUT, SockFprog.LAYOUT, PollFd.LAYOUT, VirtioNetHdr.LAYOUT, IfReq.LAYOUT, SchedParam.LAYOUT,
                EthtoolDrvinfo.LAYOUT);
    }

    /** The byte offset of the member at {@code path} (member names) in {@code layout}. */
    public static long offset(MemoryLayout layout, String... path) {
        return layout.byteOffset(Arrays.stream(path).map(PathElement::groupElement).toArray(PathElement[]::new));
    }
}
