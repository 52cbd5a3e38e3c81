package dev.baton.nativeio;

/**
 * Classic BPF (the {@code sock_filter} instruction set of linux/filter.h and linux/bpf_common.h):
 * opcode parts, the ancillary load offsets, and the instruction record.
 *
 * <p>An opcode is the OR of a class ({@link #BPF_LD} ...), a size ({@link #BPF_W} ...) and a mode
 * ({@link #BPF_ABS} ...) for loads, an operation and a source ({@link #BPF_K}/{@link #BPF_X}) for ALU
 * and jumps. All arithmetic is on unsigned 32-bit values. Programs are built with
 * {@link ClassicBpfProgram.Assembler}.
 */
public final class ClassicBpf {
    private ClassicBpf() {
    }

    /** Class: load into the accumulator A. */
    public static final int BPF_LD = 0x00;
    /** Class: load into the index register X. */
    public static final int BPF_LDX = 0x01;
    /** Class: store A into scratch memory. */
    public static final int BPF_ST = 0x02;
    /** Class: store X into scratch memory. */
    public static final int BPF_STX = 0x03;
    /** Class: arithmetic on A. */
    public static final int BPF_ALU = 0x04;
    /** Class: jump. */
    public static final int BPF_JMP = 0x05;
    /** Class: return. */
    public static final int BPF_RET = 0x06;
    /** Class: register transfers (TAX/TXA). */
    public static final int BPF_MISC = 0x07;

    /** Size: 32-bit word (big-endian from the packet). */
    public static final int BPF_W = 0x00;
    /** Size: 16-bit half word. */
    public static final int BPF_H = 0x08;
    /** Size: byte. */
    public static final int BPF_B = 0x10;

    /** Mode: immediate. */
    public static final int BPF_IMM = 0x00;
    /** Mode: packet at absolute offset k. */
    public static final int BPF_ABS = 0x20;
    /** Mode: packet at offset X + k. */
    public static final int BPF_IND = 0x40;
    /** Mode: scratch memory. */
    public static final int BPF_MEM = 0x60;
    /** Mode: packet length. */
    public static final int BPF_LEN = 0x80;
    /** Mode: X = 4 * (P[k] & 0xf), the IPv4 header length idiom. */
    public static final int BPF_MSH = 0xa0;

    /** ALU: add. */
    public static final int BPF_ADD = 0x00;
    /** ALU: subtract. */
    public static final int BPF_SUB = 0x10;
    /** ALU: multiply (mod 2^32). */
    public static final int BPF_MUL = 0x20;
    /** ALU: unsigned divide. */
    public static final int BPF_DIV = 0x30;
    /** ALU: or. */
    public static final int BPF_OR = 0x40;
    /** ALU: and. */
    public static final int BPF_AND = 0x50;
    /** ALU: shift left. */
    public static final int BPF_LSH = 0x60;
    /** ALU: logical shift right. */
    public static final int BPF_RSH = 0x70;
    /** ALU: negate. */
    public static final int BPF_NEG = 0x80;
    /** ALU: unsigned remainder. */
    public static final int BPF_MOD = 0x90;
    /** ALU: exclusive or. */
    public static final int BPF_XOR = 0xa0;

    /** Jump: always, by k. */
    public static final int BPF_JA = 0x00;
    /** Jump: A == operand. */
    public static final int BPF_JEQ = 0x10;
    /** Jump: A > operand (unsigned). */
    public static final int BPF_JGT = 0x20;
    /** Jump: A >= operand (unsigned). */
    public static final int BPF_JGE = 0x30;
    /** Jump: A & operand != 0. */
    public static final int BPF_JSET = 0x40;

    /** Source: the constant k. */
    public static final int BPF_K = 0x00;
    /** Source: the register X. */
    public static final int BPF_X = 0x08;
    /** Return source: the accumulator. */
    public static final int BPF_A = 0x10;

    /** MISC: X = A. */
    public static final int BPF_TAX = 0x00;
    /** MISC: A = X. */
    public static final int BPF_TXA = 0x80;

    /** Maximum instructions per program. */
    public static final int BPF_MAXINSNS = 4096;

    /** Base of the ancillary loads ({@code k = SKF_AD_OFF + SKF_AD_*}). */
    public static final int SKF_AD_OFF = -0x1000;
    /** Ancillary: {@code ntohs(skb->protocol)}, the EtherType (after VLAN untagging). */
    public static final int SKF_AD_PROTOCOL = 0;
    /**
     * Base of loads relative to the network header: {@code k = SKF_NET_OFF + offset}. Used where the
     * packet data may start at either the MAC or the network header (fanout, socket filters).
     */
    public static final int SKF_NET_OFF = -0x100000;
    /** Base of loads relative to the link-layer header. */
    public static final int SKF_LL_OFF = -0x200000;

    /**
     * One {@code struct sock_filter}.
     *
     * @param code      opcode (u16)
     * @param jumpTrue  instructions to skip when a conditional jump is taken (u8)
     * @param jumpFalse instructions to skip when it is not (u8)
     * @param k         operand (u32, as a Java int)
     */
    public record Instruction(int code, int jumpTrue, int jumpFalse, int k) {
        /** Checks that the fields fit their C types. */
        public Instruction {
            if (code < 0 || code > 0xffff) {
                throw new IllegalArgumentException("code out of u16 range: " + code);
            }
            if (jumpTrue < 0 || jumpTrue > 0xff || jumpFalse < 0 || jumpFalse > 0xff) {
                throw new IllegalArgumentException("jump offsets must fit in u8: " + jumpTrue + "/" + jumpFalse);
            }
        }

        /** A non-jump instruction. */
        public static Instruction statement(int code, int k) {
            return new Instruction(code, 0, 0, k);
        }

        /** The instruction class ({@link #BPF_LD} ... {@link #BPF_MISC}). */
        public int instructionClass() {
            return code & 0x07;
        }

        @Override
        public String toString() {
            return String.format("{ 0x%02x, %d, %d, 0x%08x }", code, jumpTrue, jumpFalse, k);
        }
    }
}
