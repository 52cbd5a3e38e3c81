package dev.baton.control.drill;

import dev.baton.control.socket.ControlServer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A control socket that answers {@code status} as a router of a pair would for one VIP, with the state the test
 * sets, and counts {@code switchover} requests (answering as the active does).
 */
final class FakeRouter implements AutoCloseable {

    static final String VIP = "192.0.2.10";

    final String name;
    final ControlServer server;
    volatile String state = "STANDBY";
    volatile String sync = "IN_SYNC";
    volatile long tableSize = 200;
    volatile String digest = "3fa2";
    volatile List<Map<String, Object>> peers = List.of();
    volatile boolean highAvailability = true;
    volatile int switchovers;

    FakeRouter(Path dir, String name) throws IOException {
        this.name = name;
        this.server = new ControlServer(dir.resolve(name + ".sock"))
                .handle("status", args -> status())
                .handle("switchover", args -> {
                    switchovers++;
                    return Map.of("outcome", List.of(args.get("target") + " (echo): operator switch-over: asked the standby to take the VIP"));
                });
        server.start();
    }

    Path socket() {
        return server.path();
    }

    /** This router hears {@code peer} in {@code state}/{@code sync}. */
    FakeRouter hears(String peer, String peerState, String peerSync) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("peer", peer);
        view.put("state", peerState);
        if (peerSync != null) {
            view.put("sync", peerSync);
            view.put("heard_ms_ago", 1200L);
        }
        peers = List.of(view);
        return this;
    }

    private Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("router", name);
        status.put("pid", 4242L);
        status.put("process_started", "2026-12-07T04:00:00Z");
        if (highAvailability) {
            Map<String, Object> vip = new LinkedHashMap<>();
            vip.put("vip", VIP);
            vip.put("state", state);
            vip.put("sync", sync);
            vip.put("table_size", tableSize);
            vip.put("table_digest", digest);
            vip.put("peers", new ArrayList<>(peers));
            status.put("high_availability", Map.of("vips", List.of(vip)));
        }
        return status;
    }

    @Override
    public void close() {
        server.close();
    }
}
