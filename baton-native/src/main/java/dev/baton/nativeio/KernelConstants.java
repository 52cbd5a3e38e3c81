package dev.baton.nativeio;

/**
 * Linux x86_64 constants used by the native I/O code, spelled as in the C headers they come from.
 *
 * <p>Every value here is compared with the installed kernel and libc headers by
 * {@code KernelHeadersCrossCheckTest}, which compiles a C program printing them.
 */
public final class KernelConstants {
    private KernelConstants() {
    }

    // <sys/socket.h>, <bits/socket_type.h>
    /** IPv4 socket family. */
    public static final int AF_INET = 2;
    /** Packet socket family, packet(7). */
    public static final int AF_PACKET = 17;
    /** XDP socket family (an option for a later fast path). */
    public static final int AF_XDP = 44;
    /** Raw socket type: for AF_PACKET, frames including the link-layer header. */
    public static final int SOCK_RAW = 3;
    /** Datagram socket type. */
    public static final int SOCK_DGRAM = 2;
    /** Stream socket type: TCP for the health checks. */
    public static final int SOCK_STREAM = 1;
    /** IPv6 socket family. */
    public static final int AF_INET6 = 10;
    /** Unix domain socket family, unix(7): systemd's notification socket ({@code $NOTIFY_SOCKET}). */
    public static final int AF_UNIX = 1;
    /** Socket option level of the socket itself, socket(7). */
    public static final int SOL_SOCKET = 1;
    /** Socket option: attach a classic BPF program that filters what the socket receives, socket(7). */
    public static final int SO_ATTACH_FILTER = 26;
    /** Socket option: the pending error, read and cleared; how a non-blocking connect's outcome is learnt. */
    public static final int SO_ERROR = 4;
    /** Socket option: linger on close ({@code struct linger}). */
    public static final int SO_LINGER = 13;
    /** send(2) flag: no SIGPIPE when the peer has gone; EPIPE instead. */
    public static final int MSG_NOSIGNAL = 0x4000;
    /** Socket flag: close the descriptor on exec. */
    public static final int SOCK_CLOEXEC = 0x80000;
    /** Socket flag: the descriptor is non-blocking (O_NONBLOCK). */
    public static final int SOCK_NONBLOCK = 0x800;
    /** send(2) flag: never block. */
    public static final int MSG_DONTWAIT = 0x40;

    // <netinet/in.h>, <linux/icmp.h>
    /** IP protocol number of TCP. */
    public static final int IPPROTO_TCP = 6;
    /** TCP socket option ({@code <netinet/tcp.h>}, level IPPROTO_TCP): send at once, without Nagle's algorithm. */
    public static final int TCP_NODELAY = 1;
    /** IP protocol number of ICMP: the protocol of a raw ICMP socket, raw(7). */
    public static final int IPPROTO_ICMP = 1;
    /** Socket option level of raw sockets. */
    public static final int SOL_RAW = 255;
    /** Raw ICMP socket option: a 32-bit mask of the ICMP types the socket does <em>not</em> receive, icmp(7). */
    public static final int ICMP_FILTER = 1;

    // <linux/if_ether.h>
    /** Every protocol: the protocol a packet socket is bound to so it sees all frames. */
    public static final int ETH_P_ALL = 0x0003;
    /** IPv4 EtherType. */
    public static final int ETH_P_IP = 0x0800;
    /** ARP EtherType. */
    public static final int ETH_P_ARP = 0x0806;
    /** IPv6 EtherType. */
    public static final int ETH_P_IPV6 = 0x86DD;
    /** Ethernet header length in bytes. */
    public static final int ETH_HLEN = 14;
    /** Ethernet address length in bytes. */
    public static final int ETH_ALEN = 6;
    /** Ethernet hardware type ({@code sll_hatype}). */
    public static final int ARPHRD_ETHER = 1;

    // <linux/if_packet.h>
    /** Socket option level of packet sockets. */
    public static final int SOL_PACKET = 263;
    /** Option: join a membership (promiscuous mode, multicast) with a {@code packet_mreq}. */
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    /** Option: set up the receive ring ({@code tpacket_req3}). */
    public static final int PACKET_RX_RING = 5;
    /** Option: read and reset the counters ({@code tpacket_stats_v3}). */
    public static final int PACKET_STATISTICS = 6;
    /** Option: deliver {@code tpacket_auxdata} with recvmsg. */
    public static final int PACKET_AUXDATA = 8;
    /** Option: ring header version (must precede the rings). */
    public static final int PACKET_VERSION = 10;
    /** Option: set up the transmit ring ({@code tpacket_req3}). */
    public static final int PACKET_TX_RING = 13;
    /** Option: on TX, skip malformed frames instead of stopping at them (must precede the rings). */
    public static final int PACKET_LOSS = 14;
    /** Option: prefix frames with a {@code virtio_net_hdr} on RX and expect one on TX. */
    public static final int PACKET_VNET_HDR = 15;
    /** Option: join a fanout group. */
    public static final int PACKET_FANOUT = 18;
    /** Option: transmit straight to the driver, skipping the qdisc layer. */
    public static final int PACKET_QDISC_BYPASS = 20;
    /** Option: the fanout program ({@code sock_fprog}) of a {@link #PACKET_FANOUT_CBPF} group. */
    public static final int PACKET_FANOUT_DATA = 22;
    /** Option: do not deliver frames this host sends. */
    public static final int PACKET_IGNORE_OUTGOING = 23;
    /** {@code packet_mreq.mr_type}: promiscuous mode. */
    public static final int PACKET_MR_PROMISC = 1;
    /** {@code sll_pkttype}: addressed to this host. */
    public static final int PACKET_HOST = 0;
    /** {@code sll_pkttype}: sent by this host. */
    public static final int PACKET_OUTGOING = 4;
    /** Ring version 2: fixed-size frame slots, each with its own status word (RX and TX). */
    public static final int TPACKET_V2 = 1;
    /** Ring version 3: variable-size frames in blocks on RX. */
    public static final int TPACKET_V3 = 2;
    /** Alignment of ring frames and their data. */
    public static final int TPACKET_ALIGNMENT = 16;
    /** {@code TPACKET_ALIGN(sizeof(tpacket3_hdr)) + sizeof(sockaddr_ll)}: the V3 header length. */
    public static final int TPACKET3_HDRLEN = 68;
    /** {@code TPACKET_ALIGN(sizeof(tpacket2_hdr)) + sizeof(sockaddr_ll)}: the V2 header length. */
    public static final int TPACKET2_HDRLEN = 52;

    /** RX block / frame owned by the kernel. */
    public static final int TP_STATUS_KERNEL = 0;
    /** RX block owned by user space. */
    public static final int TP_STATUS_USER = 1;
    /** RX: the frame was truncated to the ring's frame size. */
    public static final int TP_STATUS_COPY = 1 << 1;
    /** RX: frames were dropped since the last block. */
    public static final int TP_STATUS_LOSING = 1 << 2;
    /** RX: the checksum is partial and still to be completed (CHECKSUM_PARTIAL). */
    public static final int TP_STATUS_CSUMNOTREADY = 1 << 3;
    /** RX: {@code tp_vlan_tci} holds a stripped VLAN tag. */
    public static final int TP_STATUS_VLAN_VALID = 1 << 4;
    /** RX block: retired by the block timeout, not because it was full. */
    public static final int TP_STATUS_BLK_TMO = 1 << 5;
    /** RX: {@code tp_vlan_tpid} is valid. */
    public static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    /** RX: the checksum was verified. */
    public static final int TP_STATUS_CSUM_VALID = 1 << 7;
    /** TX slot free for user space. */
    public static final int TP_STATUS_AVAILABLE = 0;
    /** TX slot filled by user space, to be sent. */
    public static final int TP_STATUS_SEND_REQUEST = 1;
    /** TX slot being sent by the kernel. */
    public static final int TP_STATUS_SENDING = 1 << 1;
    /** TX slot rejected by the kernel; it stops the ring until handled. */
    public static final int TP_STATUS_WRONG_FORMAT = 1 << 2;

    /** Fanout mode: by flow hash. */
    public static final int PACKET_FANOUT_HASH = 0;
    /** Fanout mode: round robin. */
    public static final int PACKET_FANOUT_LB = 1;
    /** Fanout mode: by receiving CPU. */
    public static final int PACKET_FANOUT_CPU = 2;
    /** Fanout mode: fill one socket, then the next. */
    public static final int PACKET_FANOUT_ROLLOVER = 3;
    /** Fanout mode: random. */
    public static final int PACKET_FANOUT_RND = 4;
    /** Fanout mode: by recorded receive queue. */
    public static final int PACKET_FANOUT_QM = 5;
    /** Fanout mode: a classic BPF program returns the socket index. */
    public static final int PACKET_FANOUT_CBPF = 6;
    /** Fanout flag: roll over to another socket when the chosen one is full. */
    public static final int PACKET_FANOUT_FLAG_ROLLOVER = 0x1000;
    /** Fanout flag: reassemble IP fragments before choosing. */
    public static final int PACKET_FANOUT_FLAG_DEFRAG = 0x8000;

    // <sys/mman.h>
    /** Pages may be read. */
    public static final int PROT_READ = 1;
    /** Pages may be written. */
    public static final int PROT_WRITE = 2;
    /** Shared mapping: the kernel and this process see the same ring pages. */
    public static final int MAP_SHARED = 1;

    // <poll.h>
    /** Readable: an RX block is owned by user space. */
    public static final int POLLIN = 0x1;
    /** Writable: the TX ring has a free slot. */
    public static final int POLLOUT = 0x4;
    /** Error condition. */
    public static final int POLLERR = 0x8;

    // <sys/epoll.h>
    /** {@code epoll_create1} flag: close the descriptor on exec. */
    public static final int EPOLL_CLOEXEC = 0x80000;
    /** {@code epoll_ctl}: register a descriptor. */
    public static final int EPOLL_CTL_ADD = 1;
    /** {@code epoll_ctl}: deregister a descriptor (closing it does so too). */
    public static final int EPOLL_CTL_DEL = 2;
    /** {@code epoll_ctl}: change a registered descriptor's events and data. */
    public static final int EPOLL_CTL_MOD = 3;
    /** Event: readable. */
    public static final int EPOLLIN = 0x1;
    /** Event: writable; for a connecting stream socket, the connect has finished one way or the other. */
    public static final int EPOLLOUT = 0x4;
    /** Event: error condition (always reported). */
    public static final int EPOLLERR = 0x8;
    /** Event: hang-up (always reported). */
    public static final int EPOLLHUP = 0x10;

    // <sched.h>, <fcntl.h>
    /** {@code setns} type: network namespace. */
    public static final int CLONE_NEWNET = 0x40000000;
    /** {@code open} flag: read only. */
    public static final int O_RDONLY = 0;
    /** {@code open} flag: close on exec. */
    public static final int O_CLOEXEC = 0x80000;

    // <linux/sockios.h>, <net/if.h>
    /** ioctl: interface flags into {@code ifr_flags}. */
    public static final long SIOCGIFFLAGS = 0x8913;
    /** ioctl: MTU into {@code ifr_mtu}. */
    public static final long SIOCGIFMTU = 0x8921;
    /** ioctl: hardware address into {@code ifr_hwaddr}. */
    public static final long SIOCGIFHWADDR = 0x8927;
    /** ioctl: an ethtool command, its struct pointed to by {@code ifr_data} (linux/sockios.h). */
    public static final long SIOCETHTOOL = 0x8946;
    /** ethtool command: the driver's name and version (linux/ethtool.h). */
    public static final int ETHTOOL_GDRVINFO = 0x3;
    /** ioctl: interface index into {@code ifr_ifindex}. */
    public static final long SIOCGIFINDEX = 0x8933;
    /** Interface flag: administratively up. */
    public static final int IFF_UP = 0x1;
    /** Interface flag: operationally up (carrier present, RFC 2863 operstate up). */
    public static final int IFF_RUNNING = 0x40;
    /** Maximum interface name length including the terminating NUL. */
    public static final int IFNAMSIZ = 16;

    // <errno.h>
    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such file or directory: also a BPF map lookup or delete of an absent key. */
    public static final int ENOENT = 2;
    /** Interrupted system call. */
    public static final int EINTR = 4;
    /** No such device or address. */
    public static final int ENXIO = 6;
    /** Argument list too long: also a BPF hash map that is full. */
    public static final int E2BIG = 7;
    /** Bad file descriptor. */
    public static final int EBADF = 9;
    /** Try again (would block). */
    public static final int EAGAIN = 11;
    /** Permission denied: also setpriority(2) lowering a nice value without CAP_SYS_NICE. */
    public static final int EACCES = 13;
    /** Device or resource busy: also an XDP program attached through a live link, refusing a netlink detach. */
    public static final int EBUSY = 16;
    /** Already exists: a descriptor registered twice with one epoll instance. */
    public static final int EEXIST = 17;
    /** No such device. */
    public static final int ENODEV = 19;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** Message too long. */
    public static final int EMSGSIZE = 90;
    /** Address family not supported. */
    public static final int EAFNOSUPPORT = 97;
    /** Broken pipe: the peer has closed. */
    public static final int EPIPE = 32;
    /** Cannot assign the requested address: the source is not one of this host's. */
    public static final int EADDRNOTAVAIL = 99;
    /** Network is down. */
    public static final int ENETDOWN = 100;
    /** Network is unreachable. */
    public static final int ENETUNREACH = 101;
    /** Connection reset by peer. */
    public static final int ECONNRESET = 104;
    /** No buffer space available. */
    public static final int ENOBUFS = 105;
    /** Connection timed out. */
    public static final int ETIMEDOUT = 110;
    /** Connection refused. */
    public static final int ECONNREFUSED = 111;
    /** No route to host. */
    public static final int EHOSTUNREACH = 113;
    /** A non-blocking connect is already under way. */
    public static final int EALREADY = 114;
    /** A non-blocking connect has begun and finishes later. */
    public static final int EINPROGRESS = 115;

    // <sys/resource.h>
    /** setpriority(2)'s {@code which} for one process (on Linux: one thread). */
    public static final int PRIO_PROCESS = 0;

    // <sched.h>
    /** The default, fair (CFS/EEVDF) scheduling policy. */
    public static final int SCHED_OTHER = 0;
    /** Real-time round robin: runs before every SCHED_OTHER thread, time-sliced among equal priorities. */
    public static final int SCHED_RR = 2;
}
