package dev.baton.dataplane.service;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which VIPs this router currently owns: answers ARP for and forwards. Written by the control side (the
 * monitor's FIG. 3 actions: 321 disables ARP replies, 351 / takeover enables them), read by the workers with
 * an opaque load per packet, which on x86 is a plain load.
 *
 * <p>A router that serves alone owns every VIP from the start.
 */
public final class VipOwnership {

    private static final VarHandle BOOLEANS = MethodHandles.arrayElementVarHandle(boolean[].class);

    private final int[] vips;
    private final boolean[] owned;

    public VipOwnership(int[] vips, boolean ownedInitially) {
        this.vips = vips.clone();
        this.owned = new boolean[vips.length];
        java.util.Arrays.fill(owned, ownedInitially);
    }

    /** Whether {@code vip} is configured and owned now. */
    public boolean owns(int vip) {
        for (int i = 0; i < vips.length; i++) {
            if (vips[i] == vip) {
                return (boolean) BOOLEANS.getOpaque(owned, i);
            }
        }
        return false;
    }

    /** Takes or gives up {@code vip}; returns whether it is configured. */
    public boolean own(int vip, boolean own) {
        for (int i = 0; i < vips.length; i++) {
            if (vips[i] == vip) {
                BOOLEANS.setRelease(owned, i, own);
                return true;
            }
        }
        return false;
    }
}
