package dev.baton.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.baton.nativeio.ClassicBpf.Instruction;
import dev.baton.nativeio.KernelStructs.SockFilter;
import dev.baton.nativeio.KernelStructs.SockFprog;

/**
 * A checked classic BPF program: non-empty, at most {@link ClassicBpf#BPF_MAXINSNS} instructions,
 * every jump lands inside the program (jumps only go forward, as the kernel's checker demands), and
 * the last instruction returns. Used for {@code PACKET_FANOUT_CBPF} via {@code PACKET_FANOUT_DATA}.
 *
 * @param instructions the instructions in order
 */
public record ClassicBpfProgram(List<Instruction> instructions) {
    /** Validates and copies the instruction list. */
    public ClassicBpfProgram {
        instructions = List.copyOf(instructions);
        if (instructions.isEmpty() || instructions.size() > ClassicBpf.BPF_MAXINSNS) {
            throw new IllegalArgumentException("a program has 1.." + ClassicBpf.BPF_MAXINSNS + " instructions");
        }
        for (int pc = 0; pc < instructions.size(); pc++) {
            Instruction insn = instructions.get(pc);
            if (insn.instructionClass() == ClassicBpf.BPF_JMP) {
                boolean always = (insn.code() & 0xf0) == ClassicBpf.BPF_JA;
                long furthest = always
                        ? pc + 1L + Integer.toUnsignedLong(insn.k())
                        : pc + 1L + Math.max(insn.jumpTrue(), insn.jumpFalse());
                if (furthest >= instructions.size()) {
                    throw new IllegalArgumentException("jump at " + pc + " leaves the program: " + insn);
                }
            }
        }
        if (instructions.getLast().instructionClass() != ClassicBpf.BPF_RET) {
            throw new IllegalArgumentException("a program must end with a return");
        }
    }

    /** Number of instructions. */
    public int length() {
        return instructions.size();
    }

    /**
     * Writes the program as a {@code struct sock_fprog} pointing to a {@code sock_filter} array, both
     * allocated in {@code arena}; the result is what {@code setsockopt} takes.
     */
    public MemorySegment toSockFprog(Arena arena) {
        MemorySegment filters = arena.allocate(SockFilter.LAYOUT, instructions.size());
        for (int i = 0; i < instructions.size(); i++) {
            Instruction insn = instructions.get(i);
            long base = (long) i * SockFilter.SIZE;
            filters.set(ValueLayout.JAVA_SHORT, base + SockFilter.CODE_OFFSET, (short) insn.code());
            filters.set(ValueLayout.JAVA_BYTE, base + SockFilter.JT_OFFSET, (byte) insn.jumpTrue());
            filters.set(ValueLayout.JAVA_BYTE, base + SockFilter.JF_OFFSET, (byte) insn.jumpFalse());
            filters.set(ValueLayout.JAVA_INT, base + SockFilter.K_OFFSET, insn.k());
        }
        MemorySegment program = arena.allocate(SockFprog.LAYOUT);
        program.set(ValueLayout.JAVA_SHORT, SockFprog.LEN_OFFSET, (short) instructions.size());
        program.set(ValueLayout.ADDRESS, SockFprog.FILTER_OFFSET, filters);
        return program;
    }

    /** A new assembler. */
    public static Assembler assembler() {
        return new Assembler();
    }

    /**
     * Builds a program with symbolic jump targets: {@link #label(String)} names the next instruction,
     * jumps name their targets, and {@link #build()} turns names into the relative offsets of
     * {@code jt}/{@code jf}/{@code k}. A {@code null} target means "fall through".
     */
    public static final class Assembler {
        private record Pending(int code, String trueLabel, String falseLabel, int k) {
        }

        private final List<Pending> pending = new ArrayList<>();
        private final Map<String, Integer> labels = new HashMap<>();

        private Assembler() {
        }

        /** Names the next instruction. */
        public Assembler label(String name) {
            if (labels.putIfAbsent(name, pending.size()) != null) {
                throw new IllegalArgumentException("label defined twice: " + name);
            }
            return this;
        }

        /** A non-jump instruction {@code code} with operand {@code k}. */
        public Assembler op(int code, int k) {
            if ((code & 0x07) == ClassicBpf.BPF_JMP) {
                throw new IllegalArgumentException("use jump()/jumpAlways() for jumps");
            }
            pending.add(new Pending(code, null, null, k));
            return this;
        }

        /** A conditional jump {@code BPF_JMP | condition | BPF_K} comparing A with {@code k}. */
        public Assembler jump(int condition, int k, String ifTrue, String ifFalse) {
            pending.add(new Pending(ClassicBpf.BPF_JMP | condition | ClassicBpf.BPF_K, ifTrue, ifFalse, k));
            return this;
        }

        /** An unconditional jump to {@code target}. */
        public Assembler jumpAlways(String target) {
            pending.add(new Pending(ClassicBpf.BPF_JMP | ClassicBpf.BPF_JA, target, null, 0));
            return this;
        }

        /** Resolves the labels and checks the program. */
        public ClassicBpfProgram build() {
            List<Instruction> out = new ArrayList<>(pending.size());
            for (int pc = 0; pc < pending.size(); pc++) {
                Pending p = pending.get(pc);
                if ((p.code() & 0x07) != ClassicBpf.BPF_JMP) {
                    out.add(Instruction.statement(p.code(), p.k()));
                } else if ((p.code() & 0xf0) == ClassicBpf.BPF_JA) {
                    out.add(Instruction.statement(p.code(), distance(pc, p.trueLabel())));
                } else {
                    out.add(new Instruction(p.code(), distance(pc, p.trueLabel()), distance(pc, p.falseLabel()), p.k()));
                }
            }
            return new ClassicBpfProgram(out);
        }

        private int distance(int pc, String label) {
            if (label == null) {
                return 0;
            }
            Integer target = labels.get(label);
            if (target == null) {
                throw new IllegalArgumentException("undefined label: " + label);
            }
            int distance = target - pc - 1;
            if (distance < 0) {
                throw new IllegalArgumentException("classic BPF jumps only forward: " + label + " from " + pc);
            }
            return distance;
        }
    }
}
