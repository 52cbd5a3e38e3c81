package dev.baton.lab;

import java.time.Duration;
import java.util.List;

/**
 * A dedicated point-to-point "heartbeat cable" between the lab's first two routers: a veth pair with one end in
 * each router namespace, {@value #FIRST_ADDRESS} on router 0 and {@value #SECOND_ADDRESS} on router 1
 * ({@value #SUBNET}). It joins no bridge and carries only what the routers send each other, e.g. the peer
 * protocol's second link (examples/ha-primary.yaml draws it as eth2). Opt in with
 * {@link Lab.Builder#heartbeatCable(boolean)}; it goes with the router namespaces when the lab is removed.
 *
 * <p>The /30 is carved from TEST-NET-3 (RFC 5737), the client segment's /24, at its top end: clients take
 * 203.0.113.10 to .59, and the routers have no interface on the client segment, so nothing overlaps.
 *
 * <p>{@link #cut()} takes router 0's end down, so both ends lose carrier (a pulled cable); {@link #repair()}
 * brings it back.
 *
 * @param first  router 0's end
 * @param second router 1's end
 */
public record HeartbeatCable(End first, End second) {

    /** The cable's subnet. */
    public static final String SUBNET = "203.0.113.252/30";
    /** Router 0's end, with prefix length. */
    public static final String FIRST_ADDRESS = "203.0.113.253/30";
    /** Router 1's end, with prefix length. */
    public static final String SECOND_ADDRESS = "203.0.113.254/30";
    /** The letter ending the cable's interface names ({@code <prefix>r0h}, {@code <prefix>r1h}). */
    static final char NAME_CODE = 'h';
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);

    /**
     * One end of the cable.
     *
     * @param router        the router namespace holding it
     * @param interfaceName e.g. "bt3fa2r0h"
     * @param address       with prefix length, e.g. "203.0.113.253/30"
     */
    public record End(RouterHost router, String interfaceName, String address) {

        /** The address without its prefix length, e.g. "203.0.113.253". */
        public String ip() {
            return address.substring(0, address.indexOf('/'));
        }
    }

    /** The cable the lab plans between {@code first} (router 0) and {@code second} (router 1). */
    static HeartbeatCable between(String prefix, RouterHost first, RouterHost second) {
        return new HeartbeatCable(new End(first, interfaceName(prefix, first.name()), FIRST_ADDRESS),
                new End(second, interfaceName(prefix, second.name()), SECOND_ADDRESS));
    }

    /** "{@code <prefix><router name>h}", at most 11 characters (IFNAMSIZ allows 15). */
    static String interfaceName(String prefix, String routerName) {
        return prefix + routerName + NAME_CODE;
    }

    /** The end in {@code router}'s namespace. */
    public End endOf(RouterHost router) {
        if (first.router() == router) {
            return first;
        }
        if (second.router() == router) {
            return second;
        }
        throw new IllegalArgumentException("the heartbeat cable does not reach " + router.name());
    }

    /** The other router's end, seen from {@code router}. */
    public End peerEndOf(RouterHost router) {
        return endOf(router) == first ? second : first;
    }

    /** Pulls the cable: router 0's end goes down, so both ends lose carrier. */
    public void cut() {
        setFirstEnd("down");
    }

    /** Plugs the cable back in (router 0's end up again). */
    public void repair() {
        setFirstEnd("up");
    }

    /** Whether both ends have carrier ({@code LOWER_UP}). */
    public boolean hasCarrier() {
        return hasCarrier(first) && hasCarrier(second);
    }

    private void setFirstEnd(String state) {
        List<String> command = List.of(Tool.IP.require(), "link", "set", "dev", first.interfaceName(), state);
        first.router().exec(COMMAND_TIMEOUT, command).requireSuccess(command);
    }

    private static boolean hasCarrier(End end) {
        List<String> command = List.of(Tool.IP.require(), "-o", "link", "show", "dev", end.interfaceName());
        String shown = end.router().exec(COMMAND_TIMEOUT, command).requireSuccess(command).stdout();
        return shown.contains("LOWER_UP");
    }
}
