package dev.baton.ha;

import dev.baton.monitor.MonitorState;
import dev.baton.monitor.Role;
import dev.baton.monitor.SyncState;
import dev.baton.peer.KeepAliveFlyweight;

/**
 * The one place the monitor's states, roles and sync sub-states meet their keep-alive codes
 * ({@code docs/protocol.md}, KEEPALIVE): State is the patent's numeral, Role and Sync State small codes.
 */
final class KeepAliveCodes {

    /** Read once: {@code values()} clones its array, and this runs for every VIP of every keep-alive. */
    private static final MonitorState[] STATES = MonitorState.values();

    private KeepAliveCodes() {
    }

    /** The state a code names, or null for a code no state has (counted as unknown, never thrown). */
    static MonitorState state(int code) {
        for (MonitorState state : STATES) {
            if (state.code == code) {
                return state;
            }
        }
        return null;
    }

    static int roleCode(Role role) {
        return role == Role.PRIMARY ? KeepAliveFlyweight.ROLE_PRIMARY : KeepAliveFlyweight.ROLE_BACKUP;
    }

    /** Any code but primary's reads as backup: the role only orders two actives of one term. */
    static Role role(int code) {
        return code == KeepAliveFlyweight.ROLE_PRIMARY ? Role.PRIMARY : Role.BACKUP;
    }

    static int syncCode(SyncState sync) {
        return switch (sync) {
            case NONE -> KeepAliveFlyweight.SYNC_NONE;
            case SYNC_IN -> KeepAliveFlyweight.SYNC_IN;
            case SYNC_OUT -> KeepAliveFlyweight.SYNC_OUT;
            case IN_SYNC -> KeepAliveFlyweight.SYNC_DONE;
        };
    }

    /** Unknown codes read as NONE: nobody is taken for synchronized by mistake. */
    static SyncState sync(int code) {
        return switch (code) {
            case KeepAliveFlyweight.SYNC_IN -> SyncState.SYNC_IN;
            case KeepAliveFlyweight.SYNC_OUT -> SyncState.SYNC_OUT;
            case KeepAliveFlyweight.SYNC_DONE -> SyncState.IN_SYNC;
            default -> SyncState.NONE;
        };
    }
}
