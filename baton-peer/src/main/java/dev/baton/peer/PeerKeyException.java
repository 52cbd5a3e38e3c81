package dev.baton.peer;

import java.io.IOException;

/** The peer key file is missing, unreadable, too open or too short; the message names the file and the fix. */
public final class PeerKeyException extends IOException {

    private static final long serialVersionUID = 1L;

    public PeerKeyException(String message) {
        super(message);
    }

    public PeerKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
