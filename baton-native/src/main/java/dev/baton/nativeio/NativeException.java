package dev.baton.nativeio;

/**
 * A failed libc call: which call (with the option or path that matters, e.g.
 * {@code setsockopt(PACKET_RX_RING)}), the {@code errno} it left, and the C library's name and text
 * for it.
 *
 * <p>Unchecked: a failed setup call is a configuration or privilege problem the caller rarely
 * handles locally, and the hot-path calls ({@code send}, {@code poll}) report their expected
 * failures ({@code EAGAIN}, {@code EINTR}) as return values, never as exceptions.
 */
public final class NativeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String callName;
    private final int errno;
    private final String errnoName;

    /**
     * @param callName  the call that failed, e.g. {@code "bind(sockaddr_ll)"}
     * @param errno     the {@code errno} captured right after the call
     * @param errnoName the symbolic name, e.g. {@code "EINVAL"}
     * @param errnoText the description, e.g. {@code "Invalid argument"}
     */
    public NativeException(String callName, int errno, String errnoName, String errnoText) {
        super(callName + " failed: " + errnoName + " (" + errno + "): " + errnoText);
        this.callName = callName;
        this.errno = errno;
        this.errnoName = errnoName;
    }

    /** The failed call, e.g. {@code "setsockopt(PACKET_RX_RING)"}. */
    public String callName() {
        return callName;
    }

    /** The {@code errno} value the call left. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno name, e.g. {@code "EPERM"}. */
    public String errnoName() {
        return errnoName;
    }
}
