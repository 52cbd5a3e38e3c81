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
 */
public record RouterSettings(String id, Path controlSocket, int workers, RingSettings ring) {

    public RouterSettings {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(controlSocket, "controlSocket");
        Objects.requireNonNull(ring, "ring");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("router id is empty");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers " + workers + " < 1");
        }
    }
}
