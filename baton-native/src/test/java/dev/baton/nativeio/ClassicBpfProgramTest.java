package dev.baton.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.baton.nativeio.ClassicBpf.Instruction;

import static dev.baton.nativeio.ClassicBpf.BPF_ABS;
import static dev.baton.nativeio.ClassicBpf.BPF_B;
import static dev.baton.nativeio.ClassicBpf.BPF_JEQ;
import static dev.baton.nativeio.ClassicBpf.BPF_K;
import static dev.baton.nativeio.ClassicBpf.BPF_LD;
import static dev.baton.nativeio.ClassicBpf.BPF_RET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClassicBpfProgramTest {

    @Test
    void assemblerTurnsLabelsIntoForwardJumpDistances() {
        ClassicBpfProgram program = ClassicBpfProgram.assembler()
                .op(BPF_LD | BPF_B | BPF_ABS, 9)
                .jump(BPF_JEQ, 17, "udp", null)
                .jump(BPF_JEQ, 6, null, "drop")
                .op(BPF_RET | BPF_K, 1)
                .label("udp")
                .op(BPF_RET | BPF_K, 2)
                .label("drop")
                .op(BPF_RET | BPF_K, 0)
                .build();
        assertEquals(List.of(
                Instruction.statement(BPF_LD | BPF_B | BPF_ABS, 9),
                new Instruction(ClassicBpf.BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 17),
                new Instruction(ClassicBpf.BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 6),
                Instruction.statement(BPF_RET | BPF_K, 1),
                Instruction.statement(BPF_RET | BPF_K, 2),
                Instruction.statement(BPF_RET | BPF_K, 0)), program.instructions());
    }

    @Test
    void backwardJumpsUndefinedLabelsAndMissingReturnAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ClassicBpfProgram.assembler()
                .label("top").op(BPF_LD | BPF_B | BPF_ABS, 0).jumpAlways("top").op(BPF_RET | BPF_K, 0).build());
        assertThrows(IllegalArgumentException.class, () -> ClassicBpfProgram.assembler()
                .jumpAlways("nowhere").op(BPF_RET | BPF_K, 0).build());
        assertThrows(IllegalArgumentException.class, () -> ClassicBpfProgram.assembler()
                .op(BPF_LD | BPF_B | BPF_ABS, 0).build());
        assertThrows(IllegalArgumentException.class,
                () -> new ClassicBpfProgram(List.of(new Instruction(ClassicBpf.BPF_JMP | BPF_JEQ, 5, 0, 1),
                        Instruction.statement(BPF_RET | BPF_K, 0))));
    }

    @Test
    @SuppressWarnings("restricted")
    void sockFprogPointsAtTheInstructionsInKernelLayout() {
        ClassicBpfProgram program = ClientShardFanout.program(4);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fprog = program.toSockFprog(arena);
            assertEquals(program.length(), Short.toUnsignedInt(fprog.get(ValueLayout.JAVA_SHORT,
                    KernelStructs.SockFprog.LEN_OFFSET)));
            MemorySegment filters = fprog.get(ValueLayout.ADDRESS, KernelStructs.SockFprog.FILTER_OFFSET)
                    .reinterpret((long) program.length() * KernelStructs.SockFilter.SIZE);
            for (int i = 0; i < program.length(); i++) {
                Instruction expected = program.instructions().get(i);
                long base = (long) i * KernelStructs.SockFilter.SIZE;
                assertEquals(expected.code(), Short.toUnsignedInt(filters.get(ValueLayout.JAVA_SHORT, base)));
                assertEquals(expected.jumpTrue(), Byte.toUnsignedInt(filters.get(ValueLayout.JAVA_BYTE, base + 2)));
                assertEquals(expected.jumpFalse(), Byte.toUnsignedInt(filters.get(ValueLayout.JAVA_BYTE, base + 3)));
                assertEquals(expected.k(), filters.get(ValueLayout.JAVA_INT, base + 4));
            }
        }
    }
}
