package dev.baton.config;

import java.nio.file.Path;

/**
 * Settings of one router process.
 *
 * @param id            this router's name, unique among its peers (shown in logs and status)
 * @param controlSocket path of the Unix control socket that {@code baton ctl} talks to
 * @param workers       forwarding threads, each with its own ring pair and table shard (PACKET_FANOUT)
 * @param ring          AF_PACKET ring geometry
 */
public record RouterSettings(String id, Path controlSocket, int workers, RingSettings ring) {
}
