package dev.baton.nativeio;

import java.util.List;

import dev.baton.nativeio.ClassicBpf.Instruction;

import static dev.baton.nativeio.ClassicBpf.BPF_ABS;
import static dev.baton.nativeio.ClassicBpf.BPF_ADD;
import static dev.baton.nativeio.ClassicBpf.BPF_ALU;
import static dev.baton.nativeio.ClassicBpf.BPF_AND;
import static dev.baton.nativeio.ClassicBpf.BPF_B;
import static dev.baton.nativeio.ClassicBpf.BPF_DIV;
import static dev.baton.nativeio.ClassicBpf.BPF_H;
import static dev.baton.nativeio.ClassicBpf.BPF_IMM;
import static dev.baton.nativeio.ClassicBpf.BPF_IND;
import static dev.baton.nativeio.ClassicBpf.BPF_JA;
import static dev.baton.nativeio.ClassicBpf.BPF_JEQ;
import static dev.baton.nativeio.ClassicBpf.BPF_JGE;
import static dev.baton.nativeio.ClassicBpf.BPF_JGT;
import static dev.baton.nativeio.ClassicBpf.BPF_JMP;
import static dev.baton.nativeio.ClassicBpf.BPF_JSET;
import static dev.baton.nativeio.ClassicBpf.BPF_LD;
import static dev.baton.nativeio.ClassicBpf.BPF_LSH;
import static dev.baton.nativeio.ClassicBpf.BPF_MISC;
import static dev.baton.nativeio.ClassicBpf.BPF_MOD;
import static dev.baton.nativeio.ClassicBpf.BPF_MUL;
import static dev.baton.nativeio.ClassicBpf.BPF_OR;
import static dev.baton.nativeio.ClassicBpf.BPF_RET;
import static dev.baton.nativeio.ClassicBpf.BPF_RSH;
import static dev.baton.nativeio.ClassicBpf.BPF_SUB;
import static dev.baton.nativeio.ClassicBpf.BPF_TAX;
import static dev.baton.nativeio.ClassicBpf.BPF_TXA;
import static dev.baton.nativeio.ClassicBpf.BPF_W;
import static dev.baton.nativeio.ClassicBpf.BPF_X;
import static dev.baton.nativeio.ClassicBpf.BPF_XOR;
import static dev.baton.nativeio.ClassicBpf.SKF_AD_OFF;
import static dev.baton.nativeio.ClassicBpf.SKF_AD_PROTOCOL;
import static dev.baton.nativeio.ClassicBpf.SKF_NET_OFF;

/**
 * A classic BPF interpreter with the kernel's semantics for the instructions fanout and socket filter programs use
 * (net/core/filter.c): unsigned 32-bit arithmetic, forward jumps, a load outside the packet ends
 * the program with 0, division by zero ends it with 0. Loads must be relative to
 * {@link ClassicBpf#SKF_NET_OFF} (or the protocol ancillary load): a load relative to
 * {@code skb->data} fails the test, since in a fanout program that may be either the MAC or the
 * network header. Any other opcode fails the test too, so a new opcode cannot slip in untested.
 */
public final class ClassicBpfInterpreter {
    private ClassicBpfInterpreter() {
    }

    /**
     * Runs {@code program} over a frame whose network-layer bytes are {@code network} and whose
     * EtherType ({@code skb->protocol}) is {@code etherType}; returns the program's return value.
     */
    public static int run(ClassicBpfProgram program, int etherType, byte[] network) {
        List<Instruction> instructions = program.instructions();
        int a = 0;
        int x = 0;
        int pc = 0;
        while (true) {
            Instruction insn = instructions.get(pc++);
            int code = insn.code();
            int k = insn.k();
            switch (code & 0x07) {
                case BPF_LD -> {
                    int mode = code & 0xe0;
                    int size = code & 0x18;
                    if (mode == BPF_IMM) {
                        a = k;
                    } else if (mode == BPF_ABS && size == BPF_H && k == SKF_AD_OFF + SKF_AD_PROTOCOL) {
                        a = etherType & 0xffff;
                    } else if (mode == BPF_ABS || mode == BPF_IND) {
                        long offset = (long) k + (mode == BPF_IND ? Integer.toUnsignedLong(x) : 0);
                        if (offset >= 0) {
                            throw new AssertionError("load at skb->data + " + offset + " (pc " + (pc - 1)
                                    + "): fanout programs must load relative to SKF_NET_OFF");
                        }
                        if (offset < SKF_NET_OFF || offset >= SKF_AD_OFF) {
                            throw new AssertionError("unsupported load base at pc " + (pc - 1) + ": " + insn);
                        }
                        int at = (int) (offset - SKF_NET_OFF);
                        int bytes = size == BPF_W ? 4 : size == BPF_H ? 2 : size == BPF_B ? 1 : -1;
                        if (bytes < 0) {
                            throw new AssertionError("bad load size: " + insn);
                        }
                        if (at + bytes > network.length) {
                            return 0;
                        }
                        int value = 0;
                        for (int i = 0; i < bytes; i++) {
                            value = value << 8 | (network[at + i] & 0xff);
                        }
                        a = value;
                    } else {
                        throw new AssertionError("unsupported load: " + insn);
                    }
                }
                case BPF_ALU -> {
                    int operand = (code & BPF_X) != 0 ? x : k;
                    switch (code & 0xf0) {
                        case BPF_ADD -> a += operand;
                        case BPF_SUB -> a -= operand;
                        case BPF_MUL -> a *= operand;
                        case BPF_DIV -> {
                            if (operand == 0) {
                                return 0;
                            }
                            a = Integer.divideUnsigned(a, operand);
                        }
                        case BPF_MOD -> {
                            if (operand == 0) {
                                return 0;
                            }
                            a = Integer.remainderUnsigned(a, operand);
                        }
                        case BPF_OR -> a |= operand;
                        case BPF_AND -> a &= operand;
                        case BPF_XOR -> a ^= operand;
                        case BPF_LSH -> a = a << operand;
                        case BPF_RSH -> a = a >>> operand;
                        default -> throw new AssertionError("unsupported ALU op: " + insn);
                    }
                }
                case BPF_JMP -> {
                    int operation = code & 0xf0;
                    if (operation == BPF_JA) {
                        pc += k;
                    } else {
                        if ((code & BPF_X) != 0) {
                            throw new AssertionError("unsupported jump source X: " + insn);
                        }
                        boolean taken = switch (operation) {
                            case BPF_JEQ -> a == k;
                            case BPF_JGT -> Integer.compareUnsigned(a, k) > 0;
                            case BPF_JGE -> Integer.compareUnsigned(a, k) >= 0;
                            case BPF_JSET -> (a & k) != 0;
                            default -> throw new AssertionError("unsupported jump: " + insn);
                        };
                        pc += taken ? insn.jumpTrue() : insn.jumpFalse();
                    }
                }
                case BPF_RET -> {
                    return switch (code & 0x18) {
                        case 0x00 -> k;
                        case ClassicBpf.BPF_A -> a;
                        default -> throw new AssertionError("unsupported return: " + insn);
                    };
                }
                case BPF_MISC -> {
                    switch (code & 0xf8) {
                        case BPF_TAX -> x = a;
                        case BPF_TXA -> a = x;
                        default -> throw new AssertionError("unsupported misc: " + insn);
                    }
                }
                default -> throw new AssertionError("unsupported instruction class: " + insn);
            }
        }
    }
}
