package dev.baton.peer;

/**
 * What {@link MessageVerifier} decided about a received datagram: {@link #ACCEPTED}, or why it was
 * rejected. The codes are stable (counter ids, logs, {@code baton ctl status --json}); never
 * {@code ordinal()}. Listed in the order the checks run: the cheap structural ones before any crypto.
 */
public enum Verdict {
    /** Authentic, fresh and well formed: the window has recorded it. */
    ACCEPTED(0, "accepted"),
    /** Not our protocol: the first two bytes are not the magic. */
    BAD_MAGIC(1, "bad magic"),
    /** Our protocol, a version this router does not speak. */
    BAD_VERSION(2, "unsupported version"),
    /** Shorter than header and tag, longer than the maximum, or not header + payload length + tag. */
    BAD_LENGTH(3, "bad length"),
    /** A type code no message type has. */
    BAD_TYPE(4, "unknown message type"),
    /** The payload does not have its type's shape (fixed length, or count times record length). */
    BAD_PAYLOAD(5, "malformed payload"),
    /** The sender's router id is not a configured peer (or is this router's own): no pair key to check it with. */
    UNKNOWN_SENDER(6, "unknown sender"),
    /**
     * The HMAC tag does not verify under the key of the pair (claimed sender, this router): wrong key, altered
     * on the way, a message for another router relayed here, or a forgery by a router that holds another
     * pair's key.
     */
    BAD_TAG(7, "bad authentication tag"),
    /**
     * Authentic, but its Destination Router Id is not this router: a message meant for another router.
     * Checked only after the tag, since an unauthenticated field decides nothing; before
     * the replay window, so the message changes no state. Code 11: codes are never renumbered.
     */
    WRONG_DESTINATION(11, "wrong destination"),
    /** An incarnation older than the one already seen from that sender: a replay from before its restart. */
    STALE_INCARNATION(8, "stale incarnation"),
    /** A sequence number already received within the window (RFC 4303 §3.4.3). */
    REPLAYED(9, "replayed"),
    /** A sequence number to the left of the window: too old to tell, so rejected (RFC 4303 §3.4.3). */
    TOO_OLD(10, "too old");

    private static final Verdict[] BY_CODE = new Verdict[12];

    static {
        for (Verdict verdict : values()) {
            BY_CODE[verdict.code] = verdict;
        }
    }

    private final int code;
    private final String label;

    Verdict(int code, String label) {
        this.code = code;
        this.label = label;
    }

    /** Stable code: counter id and wire/JSON value. */
    public int code() {
        return code;
    }

    /** Words for people (logs, status). */
    public String label() {
        return label;
    }

    /** Whether the message was accepted. */
    public boolean accepted() {
        return this == ACCEPTED;
    }

    /** The verdict with {@code code}, or {@code null}. */
    public static Verdict fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** One more than the largest code: the size of an array indexed by code. */
    static int codeLimit() {
        return BY_CODE.length;
    }
}
