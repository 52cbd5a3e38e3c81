package dev.baton.table;

/**
 * The state of a connection as the router sees it, with explicit codes (they are stored in the table and
 * travel to standby routers, so they must never change meaning).
 *
 * <p>With direct server return only the client&rarr;VIP direction passes the router, so these states are
 * inferred from the client's segments alone. They are a coarse projection of the endpoint state machine of
 * RFC 9293 §3.3.2 (Figure 5), enough to choose an idle timeout and to rank entries for eviction when the
 * table is full:
 *
 * <pre>
 *   state          meaning (client side)                         RFC 9293 §3.3.2 states it stands for
 *   SYN_RECEIVED   client SYN seen, no ACK yet (embryonic)       server in SYN-RECEIVED
 *   UNCONFIRMED    client ACK seen, not yet confirmed (see below) ESTABLISHED, as far as the router knows
 *   ESTABLISHED    client traffic confirmed over time            ESTABLISHED
 *   CLOSING        client FIN seen                               FIN-WAIT-1/2, CLOSING, TIME-WAIT (client)
 *   CLOSED         client RST seen                               CLOSED
 *   UDP            a UDP flow (no state machine)                 -
 * </pre>
 *
 * <p><b>Why UNCONFIRMED</b>. The router never sees the server's SYN-ACK, so it cannot tell
 * a client's handshake ACK from one a blind spoofer sends right after its spoofed SYN: two packets, no
 * state kept, any source address. An ACK therefore only makes an entry UNCONFIRMED, which the capacity
 * policy may evict like an embryonic one. It becomes ESTABLISHED, protected from eviction, when the client
 * sends a segment at least {@link ConnectionTable#CONFIRM_AFTER_MS} after that ACK: a spoofer must then
 * remember each spoofed connection and come back for it, the cost of a real client rather than of a
 * stateless packet generator. An entry created by a segment without SYN (a connection picked up
 * mid-stream, {@link #initial}) starts UNCONFIRMED too.
 *
 * <p>Transitions on a client segment, by its flags; the first matching column wins (RST over SYN over FIN
 * over ACK), so a SYN+ACK is a SYN and a FIN+ACK is a FIN:
 *
 * <pre>
 *   current \ flags   RST      SYN             FIN       ACK              none
 *   SYN_RECEIVED      CLOSED   SYN_RECEIVED    CLOSING   UNCONFIRMED      SYN_RECEIVED
 *   UNCONFIRMED       CLOSED   UNCONFIRMED (1) CLOSING   UNCONFIRMED (3)  UNCONFIRMED
 *   ESTABLISHED       CLOSED   ESTABLISHED (1) CLOSING   ESTABLISHED      ESTABLISHED
 *   CLOSING           CLOSED   SYN_RECEIVED(2) CLOSING   CLOSING          CLOSING
 *   CLOSED            CLOSED   SYN_RECEIVED(2) CLOSED    CLOSED           CLOSED
 *   UDP               UDP      UDP             UDP       UDP              UDP
 * </pre>
 *
 * (1) A SYN inside a synchronized connection does not open a new one; the server answers it with a
 * challenge ACK (RFC 9293 §3.10.7.4, RFC 5961 §4), so the connection and its server stay.
 * (2) Port reuse: a new connection on the same 4-tuple after a close (a SYN may reopen a connection from
 * TIME-WAIT, RFC 9293 §3.6 MAY-2, from RFC 1122 §4.2.2.13) re-opens the entry as embryonic.
 * This table keeps the entry's server; the forwarder, though, treats such a SYN as a new connection: it removes the
 * entry and schedules afresh (as IPVS's conn_reuse_mode 1 does), and so for a SYN sent again while SYN_RECEIVED to a
 * server that now takes no new connections, and for a SYN with another ISN than the opening one on a SYN_RECEIVED or
 * UNCONFIRMED entry (a port reused after the server's RST went straight to the client). A standby applies what its
 * active decided.
 * (3) The table promotes it to ESTABLISHED when the segment comes {@link ConnectionTable#CONFIRM_AFTER_MS}
 * or more after the ACK that made the entry UNCONFIRMED ({@link ConnectionTable#touch}); this table is the
 * time-free part of the rule.
 */
public final class TcpState {

    /** Client SYN seen, handshake not completed by the client (embryonic). */
    public static final int SYN_RECEIVED = 1;
    /** Client acknowledged after its SYN: data may flow. */
    public static final int ESTABLISHED = 2;
    /** Client sent FIN: the connection is closing. */
    public static final int CLOSING = 3;
    /** Client sent RST: the connection is gone; kept briefly so late segments still reach the server. */
    public static final int CLOSED = 4;
    /** A UDP flow: no state machine, one timeout. */
    public static final int UDP = 5;
    /**
     * Client ACK seen (after its SYN, or picked up mid-stream), not yet confirmed by a later segment: what a
     * blind spoofer can produce too, so evictable. Appended last, so the older states keep their numbers;
     * older routers lack it.
     */
    public static final int UNCONFIRMED = 6;

    /** One more than the highest code: the size of an array indexed by state. */
    static final int CODE_LIMIT = 7;

    /** TCP header flag bits (RFC 9293 §3.1, the control bits of the header's 13th and 14th octets). */
    public static final int FLAG_FIN = 0x01;
    public static final int FLAG_SYN = 0x02;
    public static final int FLAG_RST = 0x04;
    public static final int FLAG_PSH = 0x08;
    public static final int FLAG_ACK = 0x10;

    private TcpState() {
    }

    /**
     * The state after a client segment with {@code tcpFlags} arrives in {@code state}; see the transition
     * table in the class comment. Allocation-free; a UDP state never changes.
     *
     * @throws IllegalArgumentException if {@code state} is not a valid code
     */
    public static int next(int state, int tcpFlags) {
        if (state == UDP) {
            return UDP;
        }
        if (!isTcp(state)) {
            throw new IllegalArgumentException("not a TCP state: " + state);
        }
        if ((tcpFlags & FLAG_RST) != 0) {
            return CLOSED;
        }
        if ((tcpFlags & FLAG_SYN) != 0) {
            return state == CLOSED || state == CLOSING ? SYN_RECEIVED : state;
        }
        if ((tcpFlags & FLAG_FIN) != 0) {
            return state == CLOSED ? CLOSED : CLOSING;
        }
        if ((tcpFlags & FLAG_ACK) != 0) {
            return state == SYN_RECEIVED ? UNCONFIRMED : state;
        }
        return state;
    }

    /**
     * The state of a new entry created for a client segment with {@code tcpFlags}: a SYN opens an embryonic
     * entry; a segment of a connection the router has never seen (an ACK without SYN, picked up mid-stream)
     * is unconfirmed, like any ACK a spoofer could send, a FIN closing and a RST closed.
     */
    public static int initial(int tcpFlags) {
        if ((tcpFlags & FLAG_RST) != 0) {
            return CLOSED;
        }
        if ((tcpFlags & FLAG_SYN) != 0) {
            return SYN_RECEIVED;
        }
        if ((tcpFlags & FLAG_FIN) != 0) {
            return CLOSING;
        }
        return UNCONFIRMED;
    }

    /** Whether {@code state} is one of the TCP codes (every valid code but {@link #UDP}). */
    public static boolean isTcp(int state) {
        return isValidCode(state) && state != UDP;
    }

    /**
     * Whether {@code code} is any valid state code. Never throws: a code read from a peer's record or a
     * packet is checked with it before use.
     */
    public static boolean isValidCode(int code) {
        return code >= SYN_RECEIVED && code < CODE_LIMIT;
    }

    /** The constant's name, for logs and {@code ctl} listings. */
    public static String name(int state) {
        return switch (state) {
            case SYN_RECEIVED -> "SYN_RECEIVED";
            case UNCONFIRMED -> "UNCONFIRMED";
            case ESTABLISHED -> "ESTABLISHED";
            case CLOSING -> "CLOSING";
            case CLOSED -> "CLOSED";
            case UDP -> "UDP";
            default -> throw new IllegalArgumentException("unknown state " + state);
        };
    }
}
