package dev.baton.bench.lab;

import dev.baton.lab.Lab;
import dev.baton.lab.Tool;

import java.time.Duration;

/**
 * {@code tx_packets} and {@code tx_dropped} of a bridge port in the lab's switch namespace: for the bridge-side peer of
 * the router's client-facing veth, the frames the bridge handed to the router, and those the router's veth refused
 * (its RPS backlog or XDP ring full; see {@link UdpResult#offeredPackets()}). Read by both lab benchmarks.
 *
 * @param transmitted frames the bridge handed to the port's veth
 * @param dropped     of those, frames the veth's peer refused
 */
record BridgePortCounters(long transmitted, long dropped) {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    /** Reads {@code port}'s counters (sysfs shows a namespace's own interfaces only inside it: "ip netns exec" mounts it). */
    static BridgePortCounters read(Lab lab, String port) {
        if (!port.matches("[0-9A-Za-z_.-]{1,15}")) {
            throw new IllegalArgumentException("not an interface name: '" + port + "'");
        }
        String statistics = "/sys/class/net/" + port + "/statistics/";
        String[] lines = LocalCommand.runChecked(COMMAND_TIMEOUT, Tool.IP.require(), "netns", "exec", lab.switchNamespace(),
                "cat", statistics + "tx_packets", statistics + "tx_dropped").strip().split("\n");
        if (lines.length != 2) {
            throw new IllegalStateException("expected two numbers from " + statistics + ", got: " + String.join(" | ", lines));
        }
        return new BridgePortCounters(Long.parseLong(lines[0].strip()), Long.parseLong(lines[1].strip()));
    }

    /** Frames offered to the router's veth: handed over, refused or not. */
    long offered() {
        return transmitted + dropped;
    }

    BridgePortCounters minus(BridgePortCounters earlier) {
        return new BridgePortCounters(transmitted - earlier.transmitted, dropped - earlier.dropped);
    }
}
