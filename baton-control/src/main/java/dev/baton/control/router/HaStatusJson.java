package dev.baton.control.router;

import dev.baton.ha.HaStatus;
import dev.baton.peer.Verdict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The HA agent's status as {@code baton ctl status} shows it under {@code high_availability}: keys in
 * snake_case, digests in hex, incarnations as unsigned decimal strings (they exceed a double's integers).
 * Mutable maps: the daemon adds each VIP's replication counters and the watchdog.
 */
public final class HaStatusJson {

    private HaStatusJson() {
    }

    public static Map<String, Object> of(HaStatus status) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("router_number", status.routerNumber());
        m.put("incarnation", Long.toUnsignedString(status.incarnation()));
        m.put("config_digest", Long.toHexString(status.configDigest()));
        List<Object> vips = new ArrayList<>();
        for (HaStatus.Vip vip : status.vips()) {
            vips.add(vip(vip));
        }
        m.put("vips", vips);
        List<Object> peers = new ArrayList<>();
        for (HaStatus.Peer peer : status.peers()) {
            peers.add(peer(peer));
        }
        m.put("peers", peers);
        m.put("peer_messages", messages(status.messages()));
        return m;
    }

    private static Map<String, Object> vip(HaStatus.Vip vip) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("vip", vip.vip());
        v.put("services", vip.services());
        v.put("role", vip.role().name().toLowerCase());
        v.put("priority", vip.priority());
        v.put("state", vip.state().name());
        v.put("state_code", vip.state().code);
        v.put("sync", vip.sync().name());
        v.put("term", vip.term());
        v.put("forwarding", vip.forwarding());
        v.put("answering_arp", vip.answeringArp());
        v.put("active_peer", vip.activePeer());
        v.put("following", vip.following());
        v.put("table_size", vip.tableSize());
        v.put("table_digest", Long.toHexString(vip.tableDigest()));
        v.put("local_links_up", vip.localLinksUp());
        v.put("config_differs", vip.configDiffers());
        v.put("gratuitous_arp_sent", vip.gratuitousArpSent());
        HaStatus.LastTransition last = vip.lastTransition();
        if (last != null) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("ago_ms", last.agoMs());
            t.put("reference", last.reference());
            t.put("from", last.from().name());
            t.put("to", last.to().name());
            t.put("reason", last.reason());
            v.put("last_transition", t);
        }
        List<Object> peers = new ArrayList<>();
        for (HaStatus.PeerRecord r : vip.peers()) {
            Map<String, Object> pv = new LinkedHashMap<>();
            pv.put("peer", r.peer());
            if (!r.heard()) {
                pv.put("state", "never heard");
            } else {
                pv.put("state", r.state() == null ? "unknown" : r.state().name());
                pv.put("sync", r.sync().name());
                pv.put("term", r.term());
                pv.put("links_up", r.linksUp());
                pv.put("table_size", r.tableSize());
                pv.put("table_digest", Long.toHexString(r.tableDigest()));
                pv.put("heard_ms_ago", r.heardMsAgo());
            }
            peers.add(pv);
        }
        v.put("peers", peers);
        return v;
    }

    private static Map<String, Object> peer(HaStatus.Peer peer) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("name", peer.name());
        p.put("router_number", peer.routerNumber());
        p.put("state", peer.state());
        p.put("incarnation", Long.toUnsignedString(peer.incarnation()));
        p.put("echoed_our_incarnation", peer.echoedOurIncarnation());
        List<Object> links = new ArrayList<>();
        for (HaStatus.Link link : peer.links()) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("link", link.link());
            l.put("addresses", link.addresses());
            l.put("state", link.state());
            l.put("heard_ms_ago", link.heardMsAgo());
            l.put("heartbeats_sent", link.heartbeatsSent());
            l.put("heartbeats_received", link.heartbeatsReceived());
            l.put("failures", link.failures());
            links.add(l);
        }
        p.put("links", links);
        return p;
    }

    private static Map<String, Object> messages(HaStatus.PeerMessages messages) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Verdict verdict : Verdict.values()) {
            m.put(verdict.label().replace(' ', '_').replace('-', '_'), messages.verdicts().getOrDefault(verdict, 0L));
        }
        m.put("rejected", messages.rejected());
        m.put("send_failures", messages.sendFailures());
        m.put("foreign_source", messages.foreignSource());
        m.put("receive_errors", messages.receiveErrors());
        m.put("malformed", messages.malformed());
        m.put("unknown_vip", messages.unknownVip());
        m.put("stream_without_worker", messages.streamWithoutWorker());
        m.put("sync_requests_refused", messages.syncRequestsRefused());
        m.put("stale_state_claims", messages.staleStateClaims());
        m.put("ignored_before_echo", messages.ignoredBeforeEcho());
        m.put("heartbeats_withheld_after_stall", messages.heartbeatsWithheldAfterStall());
        return m;
    }
}
