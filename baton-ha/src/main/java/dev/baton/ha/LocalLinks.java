package dev.baton.ha;

import dev.baton.config.BatonConfig;
import dev.baton.config.InterfaceConfig;
import dev.baton.config.ServiceConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The router's own client- and server-facing interfaces, watched for carrier (the patent's connectivity failures
 * 2(a) and 2(b)): read every {@link #CHECK_INTERVAL_MS}, one ioctl each, and judged per VIP by the interfaces it
 * needs. Agent thread only.
 */
final class LocalLinks {

    /** How often the local interfaces' carrier is read. */
    static final long CHECK_INTERVAL_MS = 20;

    /** Whether the interfaces a VIP needs are up, and if not which are down and on which side. */
    record Verdict(boolean allUp, boolean clientSideDown, String detail) {
    }

    private final List<InterfaceConfig> interfaces;
    private final LinkWatcher watcher;
    private final HaEventLog events;
    private final boolean[] up;
    private long nextCheckMs;

    LocalLinks(List<InterfaceConfig> interfaces, LinkWatcher watcher, HaEventLog events, long nowMs) {
        this.interfaces = List.copyOf(interfaces);
        this.watcher = watcher;
        this.events = events;
        this.up = new boolean[interfaces.size()];
        java.util.Arrays.fill(up, true);
        this.nextCheckMs = nowMs;
    }

    /**
     * The interfaces VIP {@code vip} needs: every client-facing one, and each server-facing one whose subnet holds
     * one of the VIP's servers.
     */
    int[] neededBy(BatonConfig config, int vip) {
        List<Integer> needed = new ArrayList<>();
        for (int i = 0; i < interfaces.size(); i++) {
            InterfaceConfig itf = interfaces.get(i);
            boolean isNeeded = itf.role().facesClients();
            if (!isNeeded && itf.role().facesServers()) {
                for (ServiceConfig service : config.services()) {
                    if (service.vip() == vip && service.servers().stream().anyMatch(s -> itf.address().contains(s.address()))) {
                        isNeeded = true;
                        break;
                    }
                }
            }
            if (isNeeded) {
                needed.add(i);
            }
        }
        return needed.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Reads every interface's carrier when the interval has passed; a change is logged as a link event.
     *
     * @return whether any interface changed
     */
    boolean poll(long nowMs) {
        if (nowMs < nextCheckMs) {
            return false;
        }
        nextCheckMs = nowMs + CHECK_INTERVAL_MS;
        boolean changed = false;
        for (int i = 0; i < interfaces.size(); i++) {
            String name = interfaces.get(i).name();
            boolean carrier;
            try {
                carrier = watcher.carrierUp(name);
            } catch (RuntimeException e) {
                carrier = false; // the interface is gone
            }
            if (carrier != up[i]) {
                up[i] = carrier;
                changed = true;
                events.link(nowMs, carrier, "interface " + name + " (" + interfaces.get(i).role() + ") "
                        + (carrier ? "up with carrier" : "lost carrier or went down"));
            }
        }
        return changed;
    }

    /** The verdict for a VIP that needs the interfaces {@code needed} ({@link #neededBy}). */
    Verdict verdict(int[] needed) {
        StringBuilder down = new StringBuilder();
        boolean clientSideDown = false;
        for (int i : needed) {
            if (!up[i]) {
                InterfaceConfig itf = interfaces.get(i);
                down.append(down.isEmpty() ? "" : ", ").append(itf.name()).append(itf.role().facesClients() ? " (client-facing)" : " (server-facing)");
                clientSideDown |= itf.role().facesClients();
            }
        }
        boolean allUp = down.isEmpty();
        return new Verdict(allUp, clientSideDown, allUp ? "every interface the VIP needs is up" : "interface " + down + " down");
    }
}
