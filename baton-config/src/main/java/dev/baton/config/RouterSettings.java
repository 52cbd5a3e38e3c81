package dev.baton.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of one router process.
 *
 * @param id            this router's name, unique among its peers (shown in logs and status)
 * @param controlSocket path of the Unix control socket that {@code baton ctl} talks to
 * @param workers       forwarding threads, each with its own ring pair and table shard (PACKET_FANOUT)
 * @param ring          AF_PACKET ring geometry
 * @param datapath      whether established flows are forwarded in the driver by the XDP program (issue #10)
 * @param xdpMode       where the XDP program runs: in the driver where it can, or always after the skb is built
 */
public record RouterSettings(String id, Path controlSocket, int workers, RingSettings ring, Datapath datapath,
                             XdpMode xdpMode) {

    /** Where the XDP program runs. */
    public enum XdpMode {
        /**
         * {@link #NATIVE}, but {@link #GENERIC} on a veth: there native mode forwards a frame whose sender left its
         * checksum to offload unfinished, and frames sent back out are dropped unless the peer runs XDP too.
         */
        AUTO("auto"),
        /** In the driver (native XDP), or generic where the driver refuses. */
        NATIVE("native"),
        /**
         * After the kernel built the skb (generic XDP): slower, but a frame keeps its checksum state. A veth in native
         * mode forwards a frame whose checksum its sender left to offload (CHECKSUM_PARTIAL) unfinished, and its peer
         * must run XDP or GRO to take frames sent back out (docs/operations.md, "XDP on veth").
         */
        GENERIC("generic");

        private final String configName;

        XdpMode(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    /** Where frames are forwarded. */
    public enum Datapath {
        /**
         * The XDP program forwards the frames of established flows in the driver; everything else goes up to the
         * AF_PACKET rings, where the Java forwarder decides. Falls back to {@link #AF_PACKET} (with the reason in the
         * log and {@code ctl status}) where XDP cannot run.
         */
        XDP("xdp"),
        /** Every frame through the AF_PACKET rings and the Java forwarder. */
        AF_PACKET("af-packet");

        private final String configName;

        Datapath(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    /** A router with the default data path ({@link ConfigDefaults#DATAPATH}). */
    public RouterSettings(String id, Path controlSocket, int workers, RingSettings ring) {
        this(id, controlSocket, workers, ring, ConfigDefaults.DATAPATH, ConfigDefaults.XDP_MODE);
    }

    public RouterSettings {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(controlSocket, "controlSocket");
        Objects.requireNonNull(ring, "ring");
        Objects.requireNonNull(datapath, "datapath");
        Objects.requireNonNull(xdpMode, "xdpMode");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("router id is empty");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers " + workers + " < 1");
        }
    }
}
