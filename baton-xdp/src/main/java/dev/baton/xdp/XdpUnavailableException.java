package dev.baton.xdp;

/**
 * Why the XDP fast path cannot run here: libbpf missing, the object not built, no privilege, the verifier's refusal,
 * an interface that takes no XDP program. The router logs the message, shows it in {@code ctl status} and keeps the
 * AF_PACKET data path.
 */
public final class XdpUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public XdpUnavailableException(String message) {
        super(message);
    }

    public XdpUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
