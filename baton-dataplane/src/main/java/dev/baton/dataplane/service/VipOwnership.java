package dev.baton.dataplane.service;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What this router does for each VIP now: answer ARP for it, and forward its traffic. Written by the control
 * side (the monitor's FIG. 3 actions: 321 and 341 stop both, 351 and the IP takeover start both), read by
 * the workers with an opaque load per packet, which on x86 is a plain load.
 *
 * <p>The two are apart because a hand-over (transition 355) stops answering ARP at once but keeps
 * forwarding for a drain period: frames the upstream sent before it learned the new active's MAC still
 * reach a server. A router that serves alone owns every VIP from the start.
 */
public final class VipOwnership {

    private static final VarHandle BOOLEANS = MethodHandles.arrayElementVarHandle(boolean[].class);

    private final int[] vips;
    private final boolean[] answersArp;
    private final boolean[] forwards;

    public VipOwnership(int[] vips, boolean ownedInitially) {
        this.vips = vips.clone();
        this.answersArp = new boolean[vips.length];
        this.forwards = new boolean[vips.length];
        java.util.Arrays.fill(answersArp, ownedInitially);
        java.util.Arrays.fill(forwards, ownedInitially);
    }

    /** The VIPs, indexed as {@link #indexOf}. */
    public int[] vips() {
        return vips.clone();
    }

    /** How many VIPs, indexed 0 to count - 1. */
    public int count() {
        return vips.length;
    }

    /** The VIP with index {@code vipIndex}. */
    public int vip(int vipIndex) {
        return vips[vipIndex];
    }

    /** Whether this router forwards the VIP with index {@code vipIndex} now. */
    public boolean forwardsByIndex(int vipIndex) {
        return (boolean) BOOLEANS.getOpaque(forwards, vipIndex);
    }

    /** The index of {@code vip}, or -1 when it is not configured. */
    public int indexOf(int vip) {
        for (int i = 0; i < vips.length; i++) {
            if (vips[i] == vip) {
                return i;
            }
        }
        return -1;
    }

    /** Whether this router forwards {@code vip}'s traffic now (per packet). */
    public boolean forwards(int vip) {
        int i = indexOf(vip);
        return i >= 0 && (boolean) BOOLEANS.getOpaque(forwards, i);
    }

    /** Whether this router answers ARP for {@code vip} now. */
    public boolean answersArp(int vip) {
        int i = indexOf(vip);
        return i >= 0 && (boolean) BOOLEANS.getOpaque(answersArp, i);
    }

    /** Whether this router both answers ARP for and forwards {@code vip}: it is the VIP's active router. */
    public boolean owns(int vip) {
        return forwards(vip) && answersArp(vip);
    }

    /** Takes or gives up {@code vip} entirely (ARP and forwarding); returns whether it is configured. */
    public boolean own(int vip, boolean own) {
        int i = indexOf(vip);
        if (i < 0) {
            return false;
        }
        forwardByIndex(i, own);
        answerArpByIndex(i, own);
        return true;
    }

    /** Starts or stops forwarding the VIP with index {@code vipIndex}. */
    public void forwardByIndex(int vipIndex, boolean forward) {
        BOOLEANS.setRelease(forwards, vipIndex, forward);
    }

    /** Starts or stops answering ARP for the VIP with index {@code vipIndex}. */
    public void answerArpByIndex(int vipIndex, boolean answer) {
        BOOLEANS.setRelease(answersArp, vipIndex, answer);
    }
}
