package dev.baton.xdp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * Runs the loaded XDP program over one frame without a network: {@code BPF_PROG_TEST_RUN} through libbpf's
 * {@code bpf_prog_test_run_opts}, with an {@code xdp_md} naming the ingress interface (which must exist in the calling
 * thread's namespace). The kernel runs the real, verified program against the real maps and returns its verdict and
 * the frame as the program left it; a redirect is not carried out. Shared through baton-xdp's test-jar (the
 * differential test against the Java forwarder lives in baton-dataplane).
 */
public final class XdpTestRun implements AutoCloseable {
    /** XDP verdicts (enum xdp_action, uapi/linux/bpf.h). */
    public static final int XDP_ABORTED = 0;
    public static final int XDP_DROP = 1;
    public static final int XDP_PASS = 2;
    public static final int XDP_TX = 3;
    public static final int XDP_REDIRECT = 4;
    private static final int MAX_FRAME = 4096;

    /** The program's verdict and the frame it left. */
    public record Result(int verdict, byte[] frame) {
        public boolean forwarded() {
            return verdict == XDP_TX || verdict == XDP_REDIRECT;
        }

        @Override
        public String toString() {
            return "verdict " + verdict + ", " + frame.length + " bytes";
        }
    }

    private final Arena arena = Arena.ofConfined();
    private final XdpObject program;
    private final int ingressIfindex;
    private final MemorySegment options = arena.allocate(XdpLayouts.TEST_RUN_OPTS);
    private final MemorySegment context = arena.allocate(XdpLayouts.XDP_MD);
    private final MemorySegment in = arena.allocate(MAX_FRAME, 64);
    private final MemorySegment out = arena.allocate(MAX_FRAME, 64);

    public XdpTestRun(XdpObject program, int ingressIfindex) {
        this.program = program;
        this.ingressIfindex = ingressIfindex;
    }

    /** Runs the program once over {@code frame} as if it arrived on the ingress interface. */
    public Result run(byte[] frame) {
        if (frame.length > MAX_FRAME) {
            throw new IllegalArgumentException("frame longer than " + MAX_FRAME);
        }
        MemorySegment.copy(frame, 0, in, ValueLayout.JAVA_BYTE, 0, frame.length);
        options.fill((byte) 0);
        context.fill((byte) 0);
        context.set(ValueLayout.JAVA_INT, offsetIn(XdpLayouts.XDP_MD, "data_end"), frame.length);
        context.set(ValueLayout.JAVA_INT, offsetIn(XdpLayouts.XDP_MD, "ingress_ifindex"), ingressIfindex);
        options.set(ValueLayout.JAVA_LONG, 0, XdpLayouts.TEST_RUN_OPTS.byteSize());
        options.set(ValueLayout.ADDRESS, offset("data_in"), in);
        options.set(ValueLayout.ADDRESS, offset("data_out"), out);
        options.set(ValueLayout.JAVA_INT, offset("data_size_in"), frame.length);
        options.set(ValueLayout.JAVA_INT, offset("data_size_out"), MAX_FRAME);
        options.set(ValueLayout.ADDRESS, offset("ctx_in"), context);
        options.set(ValueLayout.JAVA_INT, offset("ctx_size_in"), (int) XdpLayouts.XDP_MD.byteSize());
        options.set(ValueLayout.JAVA_INT, offset("repeat"), 1);
        Libbpf.orThrow(Libbpf.progTestRunOpts(program.programFd(), options), "bpf_prog_test_run_opts");
        int verdict = options.get(ValueLayout.JAVA_INT, offset("retval"));
        int length = options.get(ValueLayout.JAVA_INT, offset("data_size_out"));
        return new Result(verdict, Arrays.copyOf(out.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), length));
    }

    private static long offset(String field) {
        return offsetIn(XdpLayouts.TEST_RUN_OPTS, "" + field);
    }

    private static long offsetIn(java.lang.foreign.StructLayout layout, String field) {
        return layout.byteOffset(groupElement(field));
    }

    @Override
    public void close() {
        arena.close();
    }
}
