package dev.baton.xdp;

import dev.baton.nativeio.KernelConstants;
import dev.baton.nativeio.LibC;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * Baton's XDP program attached to one interface through a BPF link ({@code bpf_link_create}, {@code BPF_XDP}): in the
 * driver (native mode) where the driver supports it, otherwise generic mode, and {@link #mode()} says which.
 *
 * <p>A link, not the older netlink attachment, because a link is released with its last descriptor: when the router
 * exits, kill -9 included, the kernel detaches the program. A crashed router must stop forwarding as its packet rings
 * do (its standby takes the VIP over); a program left attached would go on forwarding with a table nobody keeps, and
 * a pinned one would outlive the router by design. So nothing is pinned, and nothing stale of Baton's can remain but
 * a program attached the older way: {@link #attach} replaces a netlink-attached {@code baton_fast_path}, and refuses
 * to touch another's program or a link some live process holds (another router on the same interface).
 */
public final class XdpAttachment implements AutoCloseable {

    /** Where the program runs. */
    public enum Mode {
        /** In the driver's receive path, before an skb exists. */
        NATIVE("native"),
        /** After the skb is built (any interface): slower, the same verdicts. */
        GENERIC("generic");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final String interfaceName;
    private final int ifindex;
    private final int linkFd;
    private final Mode mode;
    private final String nativeRefusal;
    private boolean closed;

    private XdpAttachment(String interfaceName, int ifindex, int linkFd, Mode mode, String nativeRefusal) {
        this.interfaceName = interfaceName;
        this.ifindex = ifindex;
        this.linkFd = linkFd;
        this.mode = mode;
        this.nativeRefusal = nativeRefusal;
    }

    /**
     * Attaches {@code program} to the interface {@code ifindex} (in the calling thread's network namespace): in the
     * driver when {@code tryNative} and the driver takes it, else generic.
     *
     * @throws XdpUnavailableException why not: another program or a live link on the interface, or the kernel
     *                                 refusing both modes
     */
    public static XdpAttachment attach(XdpObject program, String interfaceName, int ifindex, boolean tryNative) {
        replaceStale(interfaceName, ifindex);
        if (!tryNative) {
            int generic = create(program, ifindex, Libbpf.XDP_FLAGS_SKB_MODE);
            if (generic < 0) {
                throw new XdpUnavailableException("interface " + interfaceName + " takes no XDP program: "
                        + Libbpf.failure("bpf_link_create(XDP, generic)", generic).getMessage());
            }
            return new XdpAttachment(interfaceName, ifindex, generic, Mode.GENERIC, null);
        }
        int nativeResult = create(program, ifindex, Libbpf.XDP_FLAGS_DRV_MODE);
        if (nativeResult >= 0) {
            return new XdpAttachment(interfaceName, ifindex, nativeResult, Mode.NATIVE, null);
        }
        String nativeRefusal = Libbpf.failure("bpf_link_create(XDP, native)", nativeResult).getMessage();
        int genericResult = create(program, ifindex, Libbpf.XDP_FLAGS_SKB_MODE);
        if (genericResult >= 0) {
            return new XdpAttachment(interfaceName, ifindex, genericResult, Mode.GENERIC, nativeRefusal);
        }
        throw new XdpUnavailableException("interface " + interfaceName + " takes no XDP program: " + nativeRefusal + "; "
                + Libbpf.failure("bpf_link_create(XDP, generic)", genericResult).getMessage());
    }

    /** {@link #programName} when reading it was refused (EPERM: not CAP_SYS_ADMIN). */
    static final String UNREADABLE = "(unreadable)";

    private static int create(XdpObject program, int ifindex, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment options = arena.allocate(XdpLayouts.LINK_CREATE_OPTS);
            options.set(ValueLayout.JAVA_LONG, 0, XdpLayouts.LINK_CREATE_OPTS.byteSize());
            options.set(ValueLayout.JAVA_INT, XdpLayouts.LINK_CREATE_OPTS.byteOffset(groupElement("flags")), flags);
            return Libbpf.linkCreate(program.programFd(), ifindex, Libbpf.BPF_XDP, options);
        }
    }

    /**
     * Removes a {@code baton_fast_path} left attached the netlink way; refuses another's program, and a link held by
     * a live process (the kernel answers the detach with EBUSY).
     */
    private static void replaceStale(String interfaceName, int ifindex) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = arena.allocate(ValueLayout.JAVA_INT);
            Libbpf.orThrow(Libbpf.xdpQueryId(ifindex, 0, id), "bpf_xdp_query_id(" + interfaceName + ")");
            int programId = id.get(ValueLayout.JAVA_INT, 0);
            if (programId == 0) {
                return;
            }
            String name = programName(programId);
            if (!XdpObject.PROGRAM.equals(name)) {
                // Reading another program's name takes CAP_SYS_ADMIN (bpf_prog_get_fd_by_id), which a router run as a
                // service does not have: it then cannot tell a stale program of its own from another's, and leaves it.
                throw new XdpUnavailableException("interface " + interfaceName + " already runs the XDP program "
                        + (name.equals("?") ? "with id " + programId + " (its name is unreadable without CAP_SYS_ADMIN;"
                        + " `bpftool net` shows it)" : "'" + name + "' (id " + programId + ")")
                        + "; Baton does not replace another's program");
            }
            // Whichever mode it was attached in: a detach names the mode (flags 0 means native where the driver has
            // it, and would leave a generic attachment in place).
            int generic = Libbpf.xdpDetach(ifindex, Libbpf.XDP_FLAGS_SKB_MODE, MemorySegment.NULL);
            int inDriver = Libbpf.xdpDetach(ifindex, Libbpf.XDP_FLAGS_DRV_MODE, MemorySegment.NULL);
            if (generic == -KernelConstants.EBUSY || inDriver == -KernelConstants.EBUSY) {
                throw new XdpUnavailableException("interface " + interfaceName + " has Baton's XDP program (id " + programId
                        + ") attached by a live process: is another Baton router running on it?");
            }
            Libbpf.orThrow(Libbpf.xdpQueryId(ifindex, 0, id), "bpf_xdp_query_id(" + interfaceName + ")");
            if (id.get(ValueLayout.JAVA_INT, 0) != 0) {
                throw new XdpUnavailableException("interface " + interfaceName + ": the stale Baton XDP program (id "
                        + programId + ") would not detach (generic: " + generic + ", native: " + inDriver + ")");
            }
        }
    }

    /**
     * The name of loaded program {@code programId}, or "?" when it is gone meanwhile, or {@link #UNREADABLE} when this
     * process may not read it (libbpf returns -errno).
     */
    static String programName(int programId) {
        int fd = Libbpf.progGetFdById(programId);
        if (fd == -KernelConstants.EPERM) {
            return UNREADABLE;
        }
        if (fd < 0) {
            return "?";
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(XdpLayouts.PROG_INFO_HEAD);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, (int) XdpLayouts.PROG_INFO_HEAD.byteSize());
            Libbpf.orThrow(Libbpf.objGetInfoByFd(fd, info, length), "bpf_obj_get_info_by_fd");
            MemorySegment name = info.asSlice(XdpLayouts.PROG_INFO_HEAD.byteOffset(groupElement("name")), Libbpf.BPF_OBJ_NAME_LEN);
            byte[] bytes = name.toArray(ValueLayout.JAVA_BYTE);
            int end = 0;
            while (end < bytes.length && bytes[end] != 0) {
                end++;
            }
            return new String(bytes, 0, end, StandardCharsets.US_ASCII);
        } finally {
            new LibC().close(fd);
        }
    }

    public String interfaceName() {
        return interfaceName;
    }

    public int ifindex() {
        return ifindex;
    }

    public Mode mode() {
        return mode;
    }

    /** Why native mode was refused when {@link #mode()} is generic, else null. */
    public String nativeRefusal() {
        return nativeRefusal;
    }

    /** Detaches the program from the interface (the link's descriptor closed). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        new LibC().close(linkFd);
    }
}
