package dev.baton.nativeio;

import dev.baton.codec.VirtioNetHeaderFlyweight;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
            """;

    /** One value to compare: a label, the C expression computing it, and the Java value. */
    private record Check(String label, String cExpression, long javaValue) {
    }

    @Test
    void layoutsAndConstantsMatchTheInstalledHeaders(@TempDir Path directory) throws Exception {
        List<Check> checks = new ArrayList<>();
        for (StructLayout layout : KernelStructs.all()) {
            String cType = "struct " + layout.name().orElseThrow();
            checks.add(new Check("sizeof(" + cType + ")", "sizeof(" + cType + ")", layout.byteSize()));
            addMembers(checks, cType, layout, "", 0);
        }
        addConstants(checks, KernelConstants.class, "", List.of());
        addConstants(checks, ClassicBpf.class, "", List.of());
        addConstants(checks, VirtioNetHeaderFlyweight.class, "VIRTIO_NET_HDR_", List.of("LENGTH", "FLAGS_OFFSET",
                "GSO_TYPE_OFFSET", "HEADER_LENGTH_OFFSET", "GSO_SIZE_OFFSET", "CHECKSUM_START_OFFSET", "CHECKSUM_OFFSET_OFFSET"));
        checks.add(new Check("VirtioNetHeaderFlyweight.LENGTH", "sizeof(struct virtio_net_hdr)", VirtioNetHeaderFlyweight.LENGTH));
        checks.add(new Check("Tpacket3Hdr.TX_DATA_OFFSET", "TPACKET3_HDRLEN - sizeof(struct sockaddr_ll)",
                KernelStructs.Tpacket3Hdr.TX_DATA_OFFSET));
        checks.add(new Check("Tpacket2Hdr.TX_DATA_OFFSET", "TPACKET2_HDRLEN - sizeof(struct sockaddr_ll)",
                KernelStructs.Tpacket2Hdr.TX_DATA_OFFSET));
        checks.add(new Check("TpacketVersion.V2", "TPACKET_V2", TpacketVersion.V2.code()));
        checks.add(new Check("TpacketVersion.V3", "TPACKET_V3", TpacketVersion.V3.code()));
        checks.add(new Check("TPACKET_ALIGN(sizeof(struct tpacket2_hdr))", "TPACKET_ALIGN(sizeof(struct tpacket2_hdr))",
                KernelStructs.Tpacket2Hdr.SIZE));
        checks.add(new Check("TPACKET_ALIGN(sizeof(struct tpacket3_hdr))", "TPACKET_ALIGN(sizeof(struct tpacket3_hdr))",
                KernelStructs.Tpacket3Hdr.SIZE));
        checks.add(new Check("sizeof(socklen_t)", "sizeof(socklen_t)", Integer.BYTES));
        checks.add(new Check("sizeof(nfds_t)", "sizeof(nfds_t)", Long.BYTES));

        Map<String, Long> printed = compileAndRun(directory, checks);

        List<String> mismatches = new ArrayList<>();
        for (Check check : checks) {
            Long cValue = printed.get(check.label());
            if (cValue == null || cValue != check.javaValue()) {
                mismatches.add(check.label() + ": Java " + check.javaValue() + ", C headers " + cValue);
            }
        }
        assertTrue(mismatches.isEmpty(), "layouts/constants differ from the headers:\n" + String.join("\n", mismatches));
        assertTrue(checks.size() > 150, "the check should cover every member and constant, got " + checks.size());
    }

    /** Adds offset and size checks for every named member, recursing into nested structs and unions. */
    private static void addMembers(List<Check> checks, String cType, GroupLayout group, String prefix, long baseOffset) {
        long offset = 0;
        for (MemoryLayout member : group.memberLayouts()) {
            if (!(member instanceof PaddingLayout)) {
                String name = member.name().orElseThrow(() -> new AssertionError("unnamed member in " + cType));
                String path = prefix + name;
                long memberOffset = baseOffset + (group instanceof StructLayout ? offset : 0);
                checks.add(new Check("offsetof(" + cType + ", " + path + ")",
                        "offsetof(" + cType + ", " + path + ")", memberOffset));
                checks.add(new Check("sizeof(" + cType + "." + path + ")",
                        "sizeof(((" + cType + " *) 0)->" + path + ")", member.byteSize()));
                if (member instanceof GroupLayout nested) {
                    addMembers(checks, cType, nested, path + ".", memberOffset);
                }
            }
            if (group instanceof StructLayout) {
                offset += member.byteSize();
            }
        }
    }

    /** Adds a check for every public static int/long constant of {@code holder}. */
    private static void addConstants(List<Check> checks, Class<?> holder, String cPrefix, List<String> skipped)
            throws IllegalAccessException {
        for (Field field : holder.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            boolean constant = Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers);
            if (!constant || skipped.contains(field.getName())) {
                continue;
            }
            if (field.getType() == int.class || field.getType() == long.class) {
                String cName = cPrefix + field.getName();
                checks.add(new Check(cName, cName, ((Number) field.get(null)).longValue()));
            }
        }
    }

    private static Map<String, Long> compileAndRun(Path directory, List<Check> checks) throws Exception {
        StringBuilder source = new StringBuilder(HEADERS).append("int main(void) {\n");
        for (Check check : checks) {
            source.append("    printf(\"%s=%lld\\n\", \"").append(check.label()).append("\", (long long) (")
                    .append(check.cExpression()).append("));\n");
        }
        source.append("    return 0;\n}\n");
        Path cFile = directory.resolve("kernel_layouts.c");
        Path binary = directory.resolve("kernel_layouts");
        Files.writeString(cFile, source);

        Process compile;
        try {
            compile = new ProcessBuilder("cc", "-std=gnu11", "-o", binary.toString(), cFile.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no C compiler: 'cc' is not on PATH (apt install gcc); layouts checked only "
                    + "against the numbers pinned in KernelStructsLayoutTest");
            throw e;
        }
        String compileOutput = finish(compile);
        if (compile.exitValue() != 0) {
            assumeTrue(!compileOutput.contains("No such file or directory"),
                    "kernel/libc headers missing (apt install linux-libc-dev libc6-dev): " + compileOutput);
        }
        assertEquals(0, compile.exitValue(), "C cross-check failed to compile:\n" + compileOutput + "\n" + source);

        Process run = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        String output = finish(run);
        assertEquals(0, run.exitValue(), output);
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int equals = line.lastIndexOf('=');
            if (equals > 0) {
                values.put(line.substring(0, equals), Long.parseLong(line.substring(equals + 1).trim()));
            }
        }
        return values;
    }

    private static String finish(Process process) throws Exception {
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("process did not finish within 60 s");
        }
        return new String(output, StandardCharsets.UTF_8);
    }
}
