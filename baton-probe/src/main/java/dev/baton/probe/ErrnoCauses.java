package dev.baton.probe;

import dev.baton.nativeio.LibC;

/**
 * The failure causes a probe engine makes from an errno: "cannot connect: ETIMEDOUT (Connection timed out)", made
 * the first time an action fails with an errno and reused afterwards, so a failing probe allocates nothing once its
 * cause has been seen. One per engine; engine thread only.
 */
final class ErrnoCauses {

    static final int OPEN = 0;
    static final int BIND = 1;
    static final int CONNECT = 2;
    static final int SEND = 3;
    static final int RECEIVE = 4;
    static final int WATCH = 5;
    static final int SET_LINGER = 6;
    static final int SET_NO_DELAY = 7;
    private static final String[] ACTIONS = {"cannot open a TCP socket", "cannot bind to the source address",
        "cannot connect", "cannot send", "cannot receive", "cannot watch the socket", "cannot set SO_LINGER",
        "cannot set TCP_NODELAY"};

    private final String[][] causes = new String[ACTIONS.length][256];

    /** Why {@code action} (one of the constants above) failed with {@code errno}. */
    String of(int action, int errno) {
        String[] ofAction = causes[action];
        if (errno <= 0 || errno >= ofAction.length) {
            return text(action, errno); // no errno Linux has (they are 1..133): made each time, never cached
        }
        String cause = ofAction[errno];
        if (cause == null) {
            cause = text(action, errno);
            ofAction[errno] = cause;
        }
        return cause;
    }

    private static String text(int action, int errno) {
        return ACTIONS[action] + ": " + LibC.errnoName(errno) + " (" + LibC.errnoText(errno) + ")";
    }
}
