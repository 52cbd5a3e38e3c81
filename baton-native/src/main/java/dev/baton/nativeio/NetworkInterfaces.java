package dev.baton.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.function.ToLongFunction;

import dev.baton.nativeio.KernelStructs.IfReq;

/**
 * Facts about a network interface: MAC address, MTU, index, and whether it is up.
 *
 * <p>These are read with the SIOCGIF* ioctls (netdevice(7)) on a short-lived datagram socket rather
 * than from {@code /sys/class/net}: sysfs shows the interfaces of the network namespace that
 * <em>mounted</em> it, whereas a socket belongs to the namespace of the calling thread. So inside
 * {@link NetworkNamespace#callIn} these methods answer for the lab namespace, like
 * {@link PacketSocket#open} does. Cold path: one socket and one ioctl per call.
 */
public final class NetworkInterfaces {
    private NetworkInterfaces() {
    }

    /** The interface's hardware address as a 48-bit number, first octet most significant. */
    public static long macAddress(String interfaceName) {
        return query(interfaceName, KernelConstants.SIOCGIFHWADDR, "SIOCGIFHWADDR", request -> {
            long mac = 0;
            for (int i = 0; i < KernelConstants.ETH_ALEN; i++) {
                mac = mac << 8 | Byte.toUnsignedLong(request.get(ValueLayout.JAVA_BYTE, IfReq.HWADDR_DATA_OFFSET + i));
            }
            return mac;
        });
    }

    /** The interface's MTU in bytes. */
    public static int mtu(String interfaceName) {
        return (int) query(interfaceName, KernelConstants.SIOCGIFMTU, "SIOCGIFMTU",
                request -> request.get(ValueLayout.JAVA_INT, IfReq.MTU_OFFSET));
    }

    /** The interface's index. */
    public static int index(String interfaceName) {
        return (int) query(interfaceName, KernelConstants.SIOCGIFINDEX, "SIOCGIFINDEX",
                request -> request.get(ValueLayout.JAVA_INT, IfReq.IFINDEX_OFFSET));
    }

    /** The interface's driver, e.g. {@code veth}, {@code virtio_net}, {@code mlx5_core} ({@code ETHTOOL_GDRVINFO}). */
    public static String driver(String interfaceName) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(KernelStructs.EthtoolDrvinfo.LAYOUT);
            info.set(ValueLayout.JAVA_INT, KernelStructs.EthtoolDrvinfo.CMD_OFFSET, KernelConstants.ETHTOOL_GDRVINFO);
            query(interfaceName, KernelConstants.SIOCETHTOOL, "SIOCETHTOOL(ETHTOOL_GDRVINFO)", request -> {
                request.set(ValueLayout.ADDRESS, IfReq.DATA_OFFSET, info);
                return 0;
            }, request -> 0);
            return info.getString(KernelStructs.EthtoolDrvinfo.DRIVER_OFFSET, StandardCharsets.US_ASCII);
        }
    }

    /** Whether the interface is administratively up ({@code IFF_UP}). */
    public static boolean isUp(String interfaceName) {
        return (flags(interfaceName) & KernelConstants.IFF_UP) != 0;
    }

    /**
     * Whether the interface is up and has carrier ({@code IFF_RUNNING}: operstate UP, or UNKNOWN for
     * drivers that do not report it).
     */
    public static boolean carrierUp(String interfaceName) {
        int flags = flags(interfaceName);
        return (flags & KernelConstants.IFF_UP) != 0 && (flags & KernelConstants.IFF_RUNNING) != 0;
    }

    /** Formats a 48-bit MAC address as {@code aa:bb:cc:dd:ee:ff}. */
    public static String formatMac(long mac) {
        StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (shift != 40) {
                text.append(':');
            }
            text.append(HexFormat.of().toHexDigits((byte) (mac >>> shift)));
        }
        return text.toString();
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} into a 48-bit number. */
    public static long parseMac(String text) {
        String[] octets = text.trim().split(":");
        if (octets.length != KernelConstants.ETH_ALEN) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long mac = 0;
        for (String octet : octets) {
            if (octet.length() != 2) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            mac = mac << 8 | HexFormat.fromHexDigits(octet);
        }
        return mac;
    }

    private static int flags(String interfaceName) {
        return (int) query(interfaceName, KernelConstants.SIOCGIFFLAGS, "SIOCGIFFLAGS",
                request -> Short.toUnsignedInt(request.get(ValueLayout.JAVA_SHORT, IfReq.FLAGS_OFFSET)));
    }

    private static long query(String interfaceName, long request, String requestName, ToLongFunction<MemorySegment> read) {
        return query(interfaceName, request, requestName, ifreq -> 0, read);
    }

    /** {@code prepare} fills the request's union before the call (a pointer, for SIOCETHTOOL). */
    private static long query(String interfaceName, long request, String requestName, ToLongFunction<MemorySegment> prepare,
                              ToLongFunction<MemorySegment> read) {
        byte[] name = interfaceName.getBytes(StandardCharsets.US_ASCII);
        if (name.length == 0 || name.length >= KernelConstants.IFNAMSIZ) {
            throw new IllegalArgumentException("interface names have 1.." + (KernelConstants.IFNAMSIZ - 1)
                    + " characters: " + interfaceName);
        }
        LibC libc = new LibC();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifreq = arena.allocate(IfReq.LAYOUT);
            MemorySegment.copy(name, 0, ifreq, ValueLayout.JAVA_BYTE, IfReq.NAME_OFFSET, name.length);
            prepare.applyAsLong(ifreq);
            int fd = libc.orThrow(libc.socket(KernelConstants.AF_INET,
                    KernelConstants.SOCK_DGRAM | KernelConstants.SOCK_CLOEXEC, 0), "socket(AF_INET, SOCK_DGRAM)");
            try {
                libc.orThrow(libc.ioctl(fd, request, ifreq), "ioctl(" + requestName + ", " + interfaceName + ")");
                return read.applyAsLong(ifreq);
            } finally {
                libc.close(fd);
            }
        }
    }
}
