package dev.baton.keepalive;

import java.util.List;

/**
 * A snapshot of one peer's health and each of its links, for {@code baton ctl status}.
 *
 * @param routerId the peer's router id
 * @param name     its configured name
 * @param state    alive while any link is alive; failed once all links are failed
 * @param links    each link's status, by link index
 */
public record PeerStatus(int routerId, String name, LinkState state, List<LinkStatus> links) {

    public PeerStatus {
        links = List.copyOf(links);
    }
}
