package dev.baton.config;

import java.time.Duration;

/**
 * Flow control of the full table dump to a new standby (the patent's SYNC-OUT sub-state, FIG. 3, 370):
 * the active keeps at most {@code window} batches unacknowledged and resends one that is not acknowledged
 * within {@code retransmitTimeout}.
 *
 * @param window            SYNC_BATCH messages in flight, 1..1024
 * @param retransmitTimeout how long a batch may go unacknowledged before it is sent again
 */
public record SyncWindowSettings(int window, Duration retransmitTimeout) {

    public SyncWindowSettings {
        if (window < ConfigLimits.MIN_SYNC_WINDOW || window > ConfigLimits.MAX_SYNC_WINDOW) {
            throw new IllegalArgumentException("sync window " + window + " is not within "
                    + ConfigLimits.MIN_SYNC_WINDOW + ".." + ConfigLimits.MAX_SYNC_WINDOW);
        }
        ConfigValues.requirePositive(retransmitTimeout, "retransmitTimeout");
    }
}
