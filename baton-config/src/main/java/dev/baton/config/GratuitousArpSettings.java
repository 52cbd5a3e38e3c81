package dev.baton.config;

import java.time.Duration;
import java.util.Objects;

/**
 * IP takeover by gratuitous ARP (the patent's transitions 326 and 335: "generates a gratuitous ARP for the
 * cluster address"): what a router sends on every client-facing interface when it becomes active for a VIP.
 *
 * @param count      announcements per takeover, 1..100
 * @param interval   between two announcements of one takeover
 * @param reannounce period of the re-announcements while active, so that caches poisoned during a partition
 *                   heal; {@link Duration#ZERO} when off
 */
public record GratuitousArpSettings(int count, Duration interval, Duration reannounce) {

    public GratuitousArpSettings {
        if (count < ConfigLimits.MIN_GRATUITOUS_ARP_COUNT || count > ConfigLimits.MAX_GRATUITOUS_ARP_COUNT) {
            throw new IllegalArgumentException("gratuitous ARP count " + count + " is not within "
                    + ConfigLimits.MIN_GRATUITOUS_ARP_COUNT + ".." + ConfigLimits.MAX_GRATUITOUS_ARP_COUNT);
        }
        ConfigValues.requirePositive(interval, "interval");
        Objects.requireNonNull(reannounce, "reannounce");
        if (reannounce.isNegative()) {
            throw new IllegalArgumentException("reannounce " + reannounce + " is negative");
        }
    }

    /** Whether an active router re-announces its VIPs periodically ({@code reannounce} above zero). */
    public boolean reannounces() {
        return !reannounce.isZero();
    }
}
