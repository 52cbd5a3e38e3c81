package dev.baton.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code notify} section: a script the router runs whenever one of its VIPs changes state (FIG. 3 of
 * US 6,148,410: LISTEN, STANDBY, PREEMPT, ACTIVE), as keepalived's {@code notify_master}, {@code notify_backup} and
 * {@code notify_fault} do for VRRP. docs/configuration.md, "notify"; docs/operations.md, "Notify scripts".
 *
 * @param onStateChange an absolute path to an executable regular file, checked when the file is loaded
 *                      ({@link ScriptFile})
 * @param timeout       how long one run may take before the script and its descendants are killed
 */
public record NotifySettings(Path onStateChange, Duration timeout) {

    public NotifySettings {
        Objects.requireNonNull(onStateChange, "onStateChange");
        Objects.requireNonNull(timeout, "timeout");
        if (!onStateChange.isAbsolute()) {
            throw new IllegalArgumentException("not an absolute path: " + onStateChange);
        }
        if (timeout.compareTo(ConfigLimits.MIN_NOTIFY_TIMEOUT) < 0 || timeout.compareTo(ConfigLimits.MAX_NOTIFY_TIMEOUT) > 0) {
            throw new IllegalArgumentException("notify timeout " + timeout + " is out of range");
        }
    }
}
