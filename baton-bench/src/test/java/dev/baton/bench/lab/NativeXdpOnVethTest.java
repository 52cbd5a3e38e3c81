package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeXdpOnVethTest {

    @Test
    void clangCompilesForTheBpfTargetWithTheMultiarchHeaders() {
        assertEquals(List.of("clang", "-O2", "-Wall", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", "/w/p.c", "-o", "/w/p.o"),
                NativeXdpOnVeth.compileCommand("x86_64", Path.of("/w/p.c"), Path.of("/w/p.o")));
        assertThrows(IllegalArgumentException.class,
                () -> NativeXdpOnVeth.compileCommand("x86_64 -DEVIL", Path.of("/w/p.c"), Path.of("/w/p.o")));
    }

    /** The real compiler (Debian's clang, which the build needs for baton-xdp anyway): no root needed. */
    @Test
    void thePassProgramCompilesToABpfObjectWithAnXdpSectionAndALicence(@TempDir Path directory) throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/clang")), "Debian's clang is not installed");
        assumeTrue(Files.exists(Path.of("/usr/include/linux/bpf.h")), "linux-libc-dev is not installed");
        Path object = NativeXdpOnVeth.compilePassProgram(directory);
        byte[] elf = Files.readAllBytes(object);
        assertTrue(elf.length > 64 && elf[0] == 0x7f && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F', "an ELF object");
        // e_machine (offset 18, little-endian on x86_64 and arm64): EM_BPF = 247
        assertEquals(247, (elf[18] & 0xff) | (elf[19] & 0xff) << 8);
        List<String> sections = sectionNames(elf);
        assertTrue(sections.contains(NativeXdpOnVeth.SECTION), "sections " + sections);
        assertTrue(sections.contains("license"), "sections " + sections);
        assertTrue(new String(elf, StandardCharsets.ISO_8859_1).contains("GPL\0"));
    }

    /** The section names of a little-endian ELF64 object: each header's sh_name indexes the section-name table. */
    private static List<String> sectionNames(byte[] elf) {
        ByteBuffer buffer = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long sectionHeaders = buffer.getLong(0x28);
        int entrySize = buffer.getShort(0x3a) & 0xffff;
        int count = buffer.getShort(0x3c) & 0xffff;
        int namesIndex = buffer.getShort(0x3e) & 0xffff;
        long namesOffset = buffer.getLong((int) (sectionHeaders + (long) namesIndex * entrySize) + 0x18);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int name = buffer.getInt((int) (sectionHeaders + (long) i * entrySize));
            int start = (int) namesOffset + name;
            int end = start;
            while (elf[end] != 0) {
                end++;
            }
            names.add(new String(elf, start, end - start, StandardCharsets.US_ASCII));
        }
        return names;
    }
}
