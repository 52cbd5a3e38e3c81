package dev.baton.xdp;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The XDP program's map keys and values (src/main/c/baton_xdp.c) and the libbpf structs passed by pointer, as FFM
 * layouts. {@code XdpLayoutsTest} pins the map structs against the program's own BTF (names, offsets, sizes, read from
 * the compiled object) and the libbpf structs against libbpf's headers, so neither side can drift.
 *
 * <p>Addresses and ports are stored as on the wire (network order: the program compares them with the frame's bytes
 * directly); times, indexes and flags in host order.
 */
public final class XdpLayouts {
    private XdpLayouts() {
    }

    static final ValueLayout.OfInt WIRE_INT = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort WIRE_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    /** {@code struct baton_flow_key}: a connection as the client sent it (protocol, client, VIP, ports). */
    public static final StructLayout FLOW_KEY = MemoryLayout.structLayout(
            WIRE_INT.withName("client_address"),
            WIRE_INT.withName("vip_address"),
            WIRE_SHORT.withName("client_port"),
            WIRE_SHORT.withName("vip_port"),
            JAVA_BYTE.withName("protocol"),
            MemoryLayout.sequenceLayout(3, JAVA_BYTE).withName("padding")).withName("baton_flow_key");

    /** {@code struct baton_flow}: where the flow goes and when the program last forwarded a frame of it. */
    public static final StructLayout FLOW = MemoryLayout.structLayout(
            JAVA_LONG.withName("last_seen_ns"),
            JAVA_INT.withName("server"),
            JAVA_INT.withName("service")).withName("baton_flow");

    /** {@code struct baton_server}: a server's MAC, the MAC and ifindex of the port it is reached through. */
    public static final StructLayout SERVER = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("mac"),
            MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("source_mac"),
            JAVA_INT.withName("ifindex"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("max_frame")).withName("baton_server");

    /** {@code struct baton_port}: a port Baton opened, by ifindex: its MAC. */
    public static final StructLayout PORT = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("mac"),
            JAVA_SHORT.withName("flags")).withName("baton_port");

    /** {@code struct baton_vip}: whether this router forwards the VIP now. */
    public static final StructLayout VIP = MemoryLayout.structLayout(JAVA_INT.withName("flags")).withName("baton_vip");

    /** {@code struct baton_traffic}: one CPU's packets and bytes for a server or service. */
    public static final StructLayout TRAFFIC = MemoryLayout.structLayout(
            JAVA_LONG.withName("packets"),
            JAVA_LONG.withName("bytes")).withName("baton_traffic");

    /** {@code baton_vip.flags}: this router forwards the VIP (it is active for it). */
    public static final int VIP_FORWARDS = 1;
    /** {@code baton_server.flags}: the server's MAC is known and its flows may be forwarded in the driver. */
    public static final int SERVER_USABLE = 1;

    public static final VarHandle FLOW_KEY_CLIENT_ADDRESS = FLOW_KEY.varHandle(groupElement("client_address"));
    public static final VarHandle FLOW_KEY_VIP_ADDRESS = FLOW_KEY.varHandle(groupElement("vip_address"));
    public static final VarHandle FLOW_KEY_CLIENT_PORT = FLOW_KEY.varHandle(groupElement("client_port"));
    public static final VarHandle FLOW_KEY_VIP_PORT = FLOW_KEY.varHandle(groupElement("vip_port"));
    public static final VarHandle FLOW_KEY_PROTOCOL = FLOW_KEY.varHandle(groupElement("protocol"));
    public static final VarHandle FLOW_LAST_SEEN_NS = FLOW.varHandle(groupElement("last_seen_ns"));
    public static final VarHandle FLOW_SERVER = FLOW.varHandle(groupElement("server"));
    public static final VarHandle FLOW_SERVICE = FLOW.varHandle(groupElement("service"));
    public static final long SERVER_MAC_OFFSET = SERVER.byteOffset(groupElement("mac"));
    public static final long SERVER_SOURCE_MAC_OFFSET = SERVER.byteOffset(groupElement("source_mac"));
    public static final VarHandle SERVER_IFINDEX = SERVER.varHandle(groupElement("ifindex"));
    public static final VarHandle SERVER_FLAGS = SERVER.varHandle(groupElement("flags"));
    public static final VarHandle SERVER_MAX_FRAME = SERVER.varHandle(groupElement("max_frame"));
    public static final long PORT_MAC_OFFSET = PORT.byteOffset(groupElement("mac"));
    public static final VarHandle PORT_FLAGS = PORT.varHandle(groupElement("flags"));
    public static final VarHandle VIP_FLAGS = VIP.varHandle(groupElement("flags"));
    public static final VarHandle TRAFFIC_PACKETS = TRAFFIC.varHandle(groupElement("packets"));
    public static final VarHandle TRAFFIC_BYTES = TRAFFIC.varHandle(groupElement("bytes"));

    /**
     * libbpf's {@code struct bpf_object_open_opts} (libbpf.h, 1.1): only {@code sz} and the kernel log fields are
     * set; the rest stays zero.
     */
    public static final StructLayout OBJECT_OPEN_OPTS = MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"),
            ValueLayout.ADDRESS.withName("object_name"),
            JAVA_BYTE.withName("relaxed_maps"),
            MemoryLayout.paddingLayout(7),
            ValueLayout.ADDRESS.withName("pin_root_path"),
            MemoryLayout.paddingLayout(8), // __u32 :32, the removed attach_prog_fd, and alignment
            ValueLayout.ADDRESS.withName("kconfig"),
            ValueLayout.ADDRESS.withName("btf_custom_path"),
            ValueLayout.ADDRESS.withName("kernel_log_buf"),
            JAVA_LONG.withName("kernel_log_size"),
            JAVA_INT.withName("kernel_log_level"),
            MemoryLayout.paddingLayout(4)).withName("bpf_object_open_opts");

    /** libbpf's {@code struct bpf_test_run_opts} (bpf.h): BPF_PROG_TEST_RUN's frame in and out. */
    public static final StructLayout TEST_RUN_OPTS = MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"),
            ValueLayout.ADDRESS.withName("data_in"),
            ValueLayout.ADDRESS.withName("data_out"),
            JAVA_INT.withName("data_size_in"),
            JAVA_INT.withName("data_size_out"),
            ValueLayout.ADDRESS.withName("ctx_in"),
            ValueLayout.ADDRESS.withName("ctx_out"),
            JAVA_INT.withName("ctx_size_in"),
            JAVA_INT.withName("ctx_size_out"),
            JAVA_INT.withName("retval"),
            JAVA_INT.withName("repeat"),
            JAVA_INT.withName("duration"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("cpu"),
            JAVA_INT.withName("batch_size")).withName("bpf_test_run_opts");

    /** libbpf's {@code struct bpf_map_batch_opts} (bpf.h). */
    public static final StructLayout MAP_BATCH_OPTS = MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"),
            JAVA_LONG.withName("elem_flags"),
            JAVA_LONG.withName("flags")).withName("bpf_map_batch_opts");

    /** libbpf's {@code struct bpf_link_create_opts} (bpf.h, 1.1): only {@code sz} and {@code flags} (the XDP mode). */
    public static final StructLayout LINK_CREATE_OPTS = MemoryLayout.structLayout(
            JAVA_LONG.withName("sz"),
            JAVA_INT.withName("flags"),
            MemoryLayout.paddingLayout(52)).withName("bpf_link_create_opts");

    /**
     * The start of the kernel's {@code struct bpf_prog_info} (uapi/linux/bpf.h), up to and including {@code name}: the
     * kernel fills only as many bytes as it is given.
     */
    public static final StructLayout PROG_INFO_HEAD = MemoryLayout.structLayout(
            JAVA_INT.withName("type"),
            JAVA_INT.withName("id"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("tag"),
            JAVA_INT.withName("jited_prog_len"),
            JAVA_INT.withName("xlated_prog_len"),
            JAVA_LONG.withName("jited_prog_insns"),
            JAVA_LONG.withName("xlated_prog_insns"),
            JAVA_LONG.withName("load_time"),
            JAVA_INT.withName("created_by_uid"),
            JAVA_INT.withName("nr_map_ids"),
            JAVA_LONG.withName("map_ids"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("name")).withName("bpf_prog_info");

    /** The kernel's {@code struct xdp_md} (uapi/linux/bpf.h): the context a test run passes in. */
    public static final StructLayout XDP_MD = MemoryLayout.structLayout(
            JAVA_INT.withName("data"),
            JAVA_INT.withName("data_end"),
            JAVA_INT.withName("data_meta"),
            JAVA_INT.withName("ingress_ifindex"),
            JAVA_INT.withName("rx_queue_index"),
            JAVA_INT.withName("egress_ifindex")).withName("xdp_md");
}
