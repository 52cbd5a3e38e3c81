package dev.baton.nativeio;

import dev.baton.codec.VirtioNetHeaderFlyweight;

import java.lang.foreign.StructLayout;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins every struct layout and constant against the kernel and libc headers themselves: generates a
 * C program printing {@code sizeof}/{@code offsetof} of every named member of every layout in
 * {@link KernelStructs#all()} and the value of every constant in {@link KernelConstants},
 * {@link ClassicBpf} and {@link dev.baton.codec.VirtioNetHeaderFlyweight}, compiles it with {@code cc}, runs it and compares.
 *
 * <p>Layout member names are the C member names and layout names the struct tags, and constant
 * field names are the macro names, so nothing is listed twice: adding a member or constant on the
 * Java side adds it to this check.
 */
class KernelHeadersCrossCheckTest {

    private static final String HEADERS = """
            #define _GNU_SOURCE
            #include <stdio.h>
            #include <stddef.h>
            #include <errno.h>
            #include <fcntl.h>
            #include <poll.h>
            #include <sched.h>
            #include <sys/socket.h>
            #include <sys/un.h>
            #include <sys/epoll.h>
            #include <sys/mman.h>
            #include <sys/ioctl.h>
            #include <sys/resource.h>
            #include <netinet/in.h>
            #include <netinet/tcp.h>
            #include <net/if.h>
            #include <net/if_arp.h>
            #include <linux/if_ether.h>
            #include <linux/if_packet.h>
            #include <linux/filter.h>
            #include <linux/virtio_net.h>
            #include <linux/icmp.h>
            #include <linux/sockios.h>
            #include <linux/ethtool.h>
            """;

    @Test
    void layoutsAndConstantsMatchTheInstalledHeaders(@TempDir Path directory) throws Exception {
        CHeaderCheck check = new CHeaderCheck();
        for (StructLayout layout : KernelStructs.all()) {
            check.struct(layout);
        }
        check.constants(KernelConstants.class, "", List.of());
        check.constants(ClassicBpf.class, "", List.of());
        check.constants(VirtioNetHeaderFlyweight.class, "VIRTIO_NET_HDR_", List.of("LENGTH", "FLAGS_OFFSET",
                "GSO_TYPE_OFFSET", "HEADER_LENGTH_OFFSET", "GSO_SIZE_OFFSET", "CHECKSUM_START_OFFSET", "CHECKSUM_OFFSET_OFFSET"));
        check.add("VirtioNetHeaderFlyweight.LENGTH", "sizeof(struct virtio_net_hdr)", VirtioNetHeaderFlyweight.LENGTH);
        check.add("Tpacket3Hdr.TX_DATA_OFFSET", "TPACKET3_HDRLEN - sizeof(struct sockaddr_ll)",
                KernelStructs.Tpacket3Hdr.TX_DATA_OFFSET);
        check.add("Tpacket2Hdr.TX_DATA_OFFSET", "TPACKET2_HDRLEN - sizeof(struct sockaddr_ll)",
                KernelStructs.Tpacket2Hdr.TX_DATA_OFFSET);
        check.add("TpacketVersion.V2", "TPACKET_V2", TpacketVersion.V2.code());
        check.add("TpacketVersion.V3", "TPACKET_V3", TpacketVersion.V3.code());
        check.add("TPACKET_ALIGN(sizeof(struct tpacket2_hdr))", "TPACKET_ALIGN(sizeof(struct tpacket2_hdr))",
                KernelStructs.Tpacket2Hdr.SIZE);
        check.add("TPACKET_ALIGN(sizeof(struct tpacket3_hdr))", "TPACKET_ALIGN(sizeof(struct tpacket3_hdr))",
                KernelStructs.Tpacket3Hdr.SIZE);
        check.add("sizeof(socklen_t)", "sizeof(socklen_t)", Integer.BYTES);
        check.add("sizeof(nfds_t)", "sizeof(nfds_t)", Long.BYTES);

        List<String> mismatches = check.mismatches(directory, HEADERS, "linux-libc-dev libc6-dev");
        assertTrue(mismatches.isEmpty(), "layouts/constants differ from the headers:\n" + String.join("\n", mismatches));
        assertTrue(check.checks().size() > 150, "the check should cover every member and constant, got " + check.checks().size());
    }
}
