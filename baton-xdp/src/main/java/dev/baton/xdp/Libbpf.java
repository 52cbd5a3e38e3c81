package dev.baton.xdp;

import dev.baton.nativeio.LibC;
import dev.baton.nativeio.NativeException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libbpf calls the XDP fast path needs (Debian's {@code libbpf1}), bound through the FFM API: no JNI, no
 * {@code bpftool} or {@code ip} in the router.
 *
 * <p>libbpf 1.x returns a negative errno from every {@code int} call (its "1.0 mode"), so those need no errno
 * capture: a map update from a worker's duty cycle is one uncaptured downcall and allocates nothing. Only the calls
 * that return a pointer ({@code bpf_object__open_mem}) report failure through {@code errno}, captured here.
 *
 * <p>The library is looked up once, on first use; when it is missing, {@link #unavailableReason()} says so and the
 * router keeps the AF_PACKET data path (issue #10: "the reason in the log and ctl status").
 */
// Binding libbpf is the restricted FFM operation this class exists for.
@SuppressWarnings("restricted")
public final class Libbpf {
    /** The soname Debian's libbpf1 ships. */
    static final String LIBRARY = "libbpf.so.1";

    /** {@code BPF_ANY}, {@code BPF_NOEXIST}, {@code BPF_EXIST}: map update flags (include/uapi/linux/bpf.h). */
    public static final long BPF_ANY = 0;
    public static final long BPF_NOEXIST = 1;
    public static final long BPF_EXIST = 2;
    /** {@code XDP_FLAGS_UPDATE_IF_NOEXIST}, {@code XDP_FLAGS_SKB_MODE}, {@code XDP_FLAGS_DRV_MODE} (if_link.h). */
    public static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1;
    public static final int XDP_FLAGS_SKB_MODE = 1 << 1;
    public static final int XDP_FLAGS_DRV_MODE = 1 << 2;
    /** {@code BPF_XDP}: enum bpf_attach_type, an XDP link's attach type. */
    public static final int BPF_XDP = 37;
    /** {@code BPF_OBJ_NAME_LEN}: a program name's buffer in {@code bpf_prog_info}. */
    public static final int BPF_OBJ_NAME_LEN = 16;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE_LAYOUT.varHandle(PathElement.groupElement("errno"));

    /** The bound handles, or why they could not be bound. */
    private static final class Binding {
        static final String UNAVAILABLE;
        static final MethodHandle OPEN_MEM;
        static final MethodHandle OBJECT_LOAD;
        static final MethodHandle OBJECT_CLOSE;
        static final MethodHandle FIND_MAP_BY_NAME;
        static final MethodHandle MAP_SET_MAX_ENTRIES;
        static final MethodHandle MAP_FD;
        static final MethodHandle FIND_PROGRAM_BY_NAME;
        static final MethodHandle PROGRAM_FD;
        static final MethodHandle MAP_UPDATE_ELEM;
        static final MethodHandle MAP_LOOKUP_ELEM;
        static final MethodHandle MAP_DELETE_ELEM;
        static final MethodHandle MAP_GET_NEXT_KEY;
        static final MethodHandle MAP_UPDATE_BATCH;
        static final MethodHandle MAP_DELETE_BATCH;
        static final MethodHandle MAP_LOOKUP_BATCH;
        static final MethodHandle LINK_CREATE;
        static final MethodHandle PROG_GET_FD_BY_ID;
        static final MethodHandle OBJ_GET_INFO_BY_FD;
        static final MethodHandle PROG_TEST_RUN_OPTS;
        static final MethodHandle XDP_ATTACH;
        static final MethodHandle XDP_DETACH;
        static final MethodHandle XDP_QUERY_ID;
        static final MethodHandle OBJ_PIN;
        static final MethodHandle OBJ_GET;
        static final MethodHandle NUM_POSSIBLE_CPUS;

        static {
            SymbolLookup library = null;
            String unavailable = null;
            try {
                library = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
            } catch (IllegalArgumentException notFound) {
                unavailable = LIBRARY + " not found (apt-get install libbpf1): " + notFound.getMessage();
            }
            UNAVAILABLE = unavailable;
            OPEN_MEM = bind(library, "bpf_object__open_mem", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS),
                    Linker.Option.captureCallState("errno"));
            OBJECT_LOAD = bind(library, "bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            OBJECT_CLOSE = bind(library, "bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
            FIND_MAP_BY_NAME = bind(library, "bpf_object__find_map_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
            MAP_SET_MAX_ENTRIES = bind(library, "bpf_map__set_max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            MAP_FD = bind(library, "bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            FIND_PROGRAM_BY_NAME = bind(library, "bpf_object__find_program_by_name",
                    FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
            PROGRAM_FD = bind(library, "bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            MAP_UPDATE_ELEM = bind(library, "bpf_map_update_elem",
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
            MAP_LOOKUP_ELEM = bind(library, "bpf_map_lookup_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
            MAP_DELETE_ELEM = bind(library, "bpf_map_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
            MAP_GET_NEXT_KEY = bind(library, "bpf_map_get_next_key", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
            MAP_UPDATE_BATCH = bind(library, "bpf_map_update_batch",
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
            MAP_DELETE_BATCH = bind(library, "bpf_map_delete_batch",
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
            MAP_LOOKUP_BATCH = bind(library, "bpf_map_lookup_batch",
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
            LINK_CREATE = bind(library, "bpf_link_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
            PROG_GET_FD_BY_ID = bind(library, "bpf_prog_get_fd_by_id", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            OBJ_GET_INFO_BY_FD = bind(library, "bpf_obj_get_info_by_fd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
            PROG_TEST_RUN_OPTS = bind(library, "bpf_prog_test_run_opts", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
            XDP_ATTACH = bind(library, "bpf_xdp_attach", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
            XDP_DETACH = bind(library, "bpf_xdp_detach", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
            XDP_QUERY_ID = bind(library, "bpf_xdp_query_id", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
            OBJ_PIN = bind(library, "bpf_obj_pin", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
            OBJ_GET = bind(library, "bpf_obj_get", FunctionDescriptor.of(JAVA_INT, ADDRESS));
            NUM_POSSIBLE_CPUS = bind(library, "libbpf_num_possible_cpus", FunctionDescriptor.of(JAVA_INT));
            if (library != null) {
                // Silence libbpf's own stderr printing: every failure reaches the caller as an exception naming the
                // call and errno, and a load failure carries the verifier's log (XdpObject).
                MethodHandle setPrint = bind(library, "libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
                try {
                    MemorySegment previous = (MemorySegment) setPrint.invokeExact(MemorySegment.NULL);
                    assert previous != null;
                } catch (Throwable t) {
                    throw new ExceptionInInitializerError(t);
                }
            }
        }

        private static MethodHandle bind(SymbolLookup library, String name, FunctionDescriptor descriptor,
                                         Linker.Option... options) {
            if (library == null) {
                return null;
            }
            MemorySegment symbol = library.find(name)
                    .orElseThrow(() -> new UnsatisfiedLinkError(LIBRARY + " has no " + name + " (libbpf 1.1 or later needed)"));
            return LINKER.downcallHandle(symbol, descriptor, options);
        }
    }

    private final MemorySegment callState = Arena.ofAuto().allocate(CALL_STATE_LAYOUT);

    /**
     * Why libbpf cannot be used here, or null when it can. Binding checks the library's symbols too: a libbpf older
     * than 1.1 is reported rather than failing at the first call.
     */
    public static String unavailableReason() {
        try {
            return Binding.UNAVAILABLE;
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError e) {
            return e.getMessage() != null ? e.getMessage() : String.valueOf(e.getCause());
        } catch (NoClassDefFoundError e) {
            return LIBRARY + " could not be bound (see the first failure in the log): " + e.getMessage();
        }
    }

    /** A libbpf binding with its own errno capture; single-threaded, like {@link LibC}. */
    public Libbpf() {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalStateException(reason);
        }
    }

    /** {@code errno} left by the last capturing call through this instance. */
    int errno() {
        return (int) ERRNO.get(callState, 0L);
    }

    /** A {@link NativeException} for a libbpf call that returned {@code -errno}. */
    public static NativeException failure(String callName, int negativeErrno) {
        return LibC.failure(callName, -negativeErrno);
    }

    /** Returns {@code result} unless negative ({@code -errno}), which becomes a {@link NativeException}. */
    public static int orThrow(int result, String callName) {
        if (result < 0) {
            throw failure(callName, result);
        }
        return result;
    }

    /** {@code bpf_object__open_mem(buf, size, opts)}: the object, or NULL with {@link #errno()} set. */
    MemorySegment openMem(MemorySegment buffer, long size, MemorySegment options) {
        try {
            return (MemorySegment) Binding.OPEN_MEM.invokeExact(callState, buffer, size, options);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_object__load(obj)}: creates the maps and loads the programs (the verifier runs here). */
    int objectLoad(MemorySegment object) {
        try {
            return (int) Binding.OBJECT_LOAD.invokeExact(object);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_object__close(obj)}: closes every map and program descriptor of the object. */
    void objectClose(MemorySegment object) {
        try {
            Binding.OBJECT_CLOSE.invokeExact(object);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment findMapByName(MemorySegment object, MemorySegment name) {
        try {
            return (MemorySegment) Binding.FIND_MAP_BY_NAME.invokeExact(object, name);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    int mapSetMaxEntries(MemorySegment map, int maxEntries) {
        try {
            return (int) Binding.MAP_SET_MAX_ENTRIES.invokeExact(map, maxEntries);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    int mapFd(MemorySegment map) {
        try {
            return (int) Binding.MAP_FD.invokeExact(map);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    MemorySegment findProgramByName(MemorySegment object, MemorySegment name) {
        try {
            return (MemorySegment) Binding.FIND_PROGRAM_BY_NAME.invokeExact(object, name);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    int programFd(MemorySegment program) {
        try {
            return (int) Binding.PROGRAM_FD.invokeExact(program);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_map_update_elem}: 0 or {@code -errno}. No allocation, no capture: fit for a duty cycle. */
    public static int mapUpdateElem(int mapFd, MemorySegment key, MemorySegment value, long flags) {
        try {
            return (int) Binding.MAP_UPDATE_ELEM.invokeExact(mapFd, key, value, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_map_lookup_elem}: 0, or {@code -ENOENT} when the key is absent. */
    public static int mapLookupElem(int mapFd, MemorySegment key, MemorySegment value) {
        try {
            return (int) Binding.MAP_LOOKUP_ELEM.invokeExact(mapFd, key, value);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_map_delete_elem}: 0, or {@code -ENOENT} when the key is absent. */
    public static int mapDeleteElem(int mapFd, MemorySegment key) {
        try {
            return (int) Binding.MAP_DELETE_ELEM.invokeExact(mapFd, key);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_map_get_next_key}: the first key when {@code key} is NULL; {@code -ENOENT} after the last. */
    public static int mapGetNextKey(int mapFd, MemorySegment key, MemorySegment nextKey) {
        try {
            return (int) Binding.MAP_GET_NEXT_KEY.invokeExact(mapFd, key, nextKey);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code bpf_map_update_batch(fd, keys, values, &count, opts)}: {@code count} (a 4-byte in/out) says how many
     * were written when it fails part way.
     */
    public static int mapUpdateBatch(int mapFd, MemorySegment keys, MemorySegment values, MemorySegment count,
                                     MemorySegment options) {
        try {
            return (int) Binding.MAP_UPDATE_BATCH.invokeExact(mapFd, keys, values, count, options);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_map_delete_batch(fd, keys, &count, opts)}. */
    public static int mapDeleteBatch(int mapFd, MemorySegment keys, MemorySegment count, MemorySegment options) {
        try {
            return (int) Binding.MAP_DELETE_BATCH.invokeExact(mapFd, keys, count, options);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code bpf_map_lookup_batch(fd, in_batch, out_batch, keys, values, &count, opts)}: up to {@code count} entries
     * from where {@code inBatch} left off (NULL: the start); {@code -ENOENT} once the map is exhausted, with
     * {@code count} still saying how many this call returned.
     */
    public static int mapLookupBatch(int mapFd, MemorySegment inBatch, MemorySegment outBatch, MemorySegment keys,
                                     MemorySegment values, MemorySegment count, MemorySegment options) {
        try {
            return (int) Binding.MAP_LOOKUP_BATCH.invokeExact(mapFd, inBatch, outBatch, keys, values, count, options);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code bpf_link_create(prog_fd, target, attach_type, opts)}: a link descriptor. An XDP link ({@link #BPF_XDP},
     * the target an ifindex) detaches when its last descriptor closes, the process's death included.
     */
    public static int linkCreate(int programFd, int target, int attachType, MemorySegment options) {
        try {
            return (int) Binding.LINK_CREATE.invokeExact(programFd, target, attachType, options);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_prog_get_fd_by_id(id)}: a descriptor for a loaded program, to read its name. */
    public static int progGetFdById(int programId) {
        try {
            return (int) Binding.PROG_GET_FD_BY_ID.invokeExact(programId);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_obj_get_info_by_fd(fd, info, &len)}: a program's {@code struct bpf_prog_info}. */
    public static int objGetInfoByFd(int fd, MemorySegment info, MemorySegment length) {
        try {
            return (int) Binding.OBJ_GET_INFO_BY_FD.invokeExact(fd, info, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_prog_test_run_opts(fd, opts)}: runs the program over {@code opts}' frame (BPF_PROG_TEST_RUN). */
    public static int progTestRunOpts(int programFd, MemorySegment options) {
        try {
            return (int) Binding.PROG_TEST_RUN_OPTS.invokeExact(programFd, options);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_xdp_attach(ifindex, prog_fd, flags, opts)}. */
    public static int xdpAttach(int ifindex, int programFd, int flags, MemorySegment options) {
        try {
            return (int) Binding.XDP_ATTACH.invokeExact(ifindex, programFd, flags, options);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_xdp_detach(ifindex, flags, opts)}. */
    public static int xdpDetach(int ifindex, int flags, MemorySegment options) {
        try {
            return (int) Binding.XDP_DETACH.invokeExact(ifindex, flags, options);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_xdp_query_id(ifindex, flags, &prog_id)}: the attached program's id, 0 when none. */
    public static int xdpQueryId(int ifindex, int flags, MemorySegment programId) {
        try {
            return (int) Binding.XDP_QUERY_ID.invokeExact(ifindex, flags, programId);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_obj_pin(fd, path)}: pins a map or program in the BPF file system. */
    public static int objPin(int fd, MemorySegment path) {
        try {
            return (int) Binding.OBJ_PIN.invokeExact(fd, path);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code bpf_obj_get(path)}: a new descriptor for a pinned map or program. */
    public static int objGet(MemorySegment path) {
        try {
            return (int) Binding.OBJ_GET.invokeExact(path);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code libbpf_num_possible_cpus()}: how many values a per-CPU map holds per key. */
    public static int numPossibleCpus() {
        try {
            return orThrow((int) Binding.NUM_POSSIBLE_CPUS.invokeExact(), "libbpf_num_possible_cpus");
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException runtime) {
            return runtime;
        }
        if (t instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(t);
    }
}
