package dev.baton.table;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TcpStateTest {

    /** The transition table of {@link TcpState}'s class comment, row by row, plus flag combinations. */
    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @CsvSource({
            // current,     flags,    next
            "SYN_RECEIVED, RST,      CLOSED",
            "SYN_RECEIVED, SYN,      SYN_RECEIVED",
            "SYN_RECEIVED, FIN,      CLOSING",
            "SYN_RECEIVED, ACK,      UNCONFIRMED",
            "SYN_RECEIVED, NONE,     SYN_RECEIVED",
            "UNCONFIRMED,  RST,      CLOSED",
            "UNCONFIRMED,  SYN,      UNCONFIRMED",
            "UNCONFIRMED,  FIN,      CLOSING",
            "UNCONFIRMED,  ACK,      UNCONFIRMED",
            "UNCONFIRMED,  NONE,     UNCONFIRMED",
            "ESTABLISHED,  RST,      CLOSED",
            "ESTABLISHED,  SYN,      ESTABLISHED",
            "ESTABLISHED,  FIN,      CLOSING",
            "ESTABLISHED,  ACK,      ESTABLISHED",
            "ESTABLISHED,  NONE,     ESTABLISHED",
            "CLOSING,      RST,      CLOSED",
            "CLOSING,      SYN,      SYN_RECEIVED",
            "CLOSING,      FIN,      CLOSING",
            "CLOSING,      ACK,      CLOSING",
            "CLOSING,      NONE,     CLOSING",
            "CLOSED,       RST,      CLOSED",
            "CLOSED,       SYN,      SYN_RECEIVED",
            "CLOSED,       FIN,      CLOSED",
            "CLOSED,       ACK,      CLOSED",
            "CLOSED,       NONE,     CLOSED",
            "UDP,          RST,      UDP",
            "UDP,          SYN,      UDP",
            "UDP,          FIN,      UDP",
            "UDP,          ACK,      UDP",
            "UDP,          NONE,     UDP",
            // precedence: RST over SYN over FIN over ACK; PSH alone changes nothing
            "SYN_RECEIVED, ACK|RST,  CLOSED",
            "SYN_RECEIVED, SYN|ACK,  SYN_RECEIVED",
            "SYN_RECEIVED, FIN|ACK,  CLOSING",
            "SYN_RECEIVED, PSH|ACK,  UNCONFIRMED",
            "SYN_RECEIVED, PSH,      SYN_RECEIVED",
            "CLOSED,       SYN|FIN,  SYN_RECEIVED",
            "ESTABLISHED,  FIN|RST,  CLOSED",
    })
    void clientSegmentAdvancesStateAsTheTransitionTableSays(String current, String flags, String expected) {
        assertEquals(expected, TcpState.name(TcpState.next(code(current), flags(flags))));
    }

    @ParameterizedTest(name = "first segment {0} -> {1}")
    @CsvSource({
            "SYN,     SYN_RECEIVED",
            "ACK,     UNCONFIRMED",
            "PSH|ACK, UNCONFIRMED",
            "FIN|ACK, CLOSING",
            "RST,     CLOSED",
            "SYN|RST, CLOSED",
    })
    void firstSegmentOfAnUnknownConnectionGivesItsInitialState(String flags, String expected) {
        assertEquals(expected, TcpState.name(TcpState.initial(flags(flags))));
    }

    @Test
    void codesAreExplicitAndStable() {
        // The codes are stored in the table and sent to standbys: pin them.
        assertEquals(1, TcpState.SYN_RECEIVED);
        assertEquals(2, TcpState.ESTABLISHED);
        assertEquals(3, TcpState.CLOSING);
        assertEquals(4, TcpState.CLOSED);
        assertEquals(5, TcpState.UDP);
        assertEquals(6, TcpState.UNCONFIRMED);
        assertEquals(1, RemovalReason.REMOVED);
        assertEquals(2, RemovalReason.EXPIRED);
        assertEquals(3, RemovalReason.EVICTED);
        assertEquals(4, RemovalReason.REPLACED);
    }

    @Test
    void flagBitsAreThoseOfTheTcpHeader() {
        assertEquals(0x01, TcpState.FLAG_FIN);
        assertEquals(0x02, TcpState.FLAG_SYN);
        assertEquals(0x04, TcpState.FLAG_RST);
        assertEquals(0x08, TcpState.FLAG_PSH);
        assertEquals(0x10, TcpState.FLAG_ACK);
    }

    @Test
    void unknownStateIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> TcpState.next(0, TcpState.FLAG_ACK));
        assertThrows(IllegalArgumentException.class, () -> TcpState.next(9, TcpState.FLAG_ACK));
        assertThrows(IllegalArgumentException.class, () -> TcpState.name(0));
        for (int code = -1; code <= 256; code++) {
            boolean valid = code >= 1 && code <= 6;
            assertEquals(valid, TcpState.isValidCode(code), "code " + code);
            assertEquals(valid && code != TcpState.UDP, TcpState.isTcp(code), "code " + code);
        }
    }

    static int code(String name) {
        return switch (name) {
            case "SYN_RECEIVED" -> TcpState.SYN_RECEIVED;
            case "ESTABLISHED" -> TcpState.ESTABLISHED;
            case "UNCONFIRMED" -> TcpState.UNCONFIRMED;
            case "CLOSING" -> TcpState.CLOSING;
            case "CLOSED" -> TcpState.CLOSED;
            case "UDP" -> TcpState.UDP;
            default -> throw new IllegalArgumentException(name);
        };
    }

    static int flags(String spec) {
        int flags = 0;
        for (String flag : spec.split("\\|")) {
            flags |= switch (flag.trim()) {
                case "FIN" -> TcpState.FLAG_FIN;
                case "SYN" -> TcpState.FLAG_SYN;
                case "RST" -> TcpState.FLAG_RST;
                case "PSH" -> TcpState.FLAG_PSH;
                case "ACK" -> TcpState.FLAG_ACK;
                case "NONE" -> 0;
                default -> throw new IllegalArgumentException(flag);
            };
        }
        return flags;
    }
}
