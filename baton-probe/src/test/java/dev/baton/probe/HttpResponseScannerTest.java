package dev.baton.probe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.baton.probe.HttpResponseScanner.FAILED;
import static dev.baton.probe.HttpResponseScanner.MORE;
import static dev.baton.probe.HttpResponseScanner.PASSED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Responses, well formed and hostile, each fed whole, in pieces the size the row gives, and one byte at a time:
 * the verdict and cause are the same however the bytes arrive, and the stream ends (EOF) where the row says.
 */
class HttpResponseScannerTest {

    static final String OK_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n";

    /** expected status, body substring (or null), the response, whether the server then closes, verdict, cause. */
    static List<Arguments> responses() {
        return List.of(
                Arguments.of(200, null, OK_HEAD + "anything", false, PASSED, "HTTP 200"),
                Arguments.of(200, null, "HTTP/1.0 200\n\n", false, PASSED, "HTTP 200"),
                Arguments.of(204, null, "HTTP/1.1 204 No Content\r\n\r\n", false, PASSED, "HTTP 204"),
                Arguments.of(200, null, "HTTP/1.1 503 Service Unavailable\r\n\r\n", false, FAILED, "HTTP 503"),
                Arguments.of(200, null, "HTTP/1.1 999 What\r\n\r\n", false, FAILED, "HTTP 999"),
                Arguments.of(200, "ok", OK_HEAD + "status: ok\n", false, PASSED, "HTTP 200"),
                Arguments.of(200, "healthy", OK_HEAD + "x".repeat(5_000) + "healthy", false, PASSED, "HTTP 200"),
                // KMP: a partial match that fails must fall back, not skip ("aab" in "aaab")
                Arguments.of(200, "aab", OK_HEAD + "aaab", false, PASSED, "HTTP 200"),
                Arguments.of(200, "abac", OK_HEAD + "ababac", false, PASSED, "HTTP 200"),
                Arguments.of(200, "ok", OK_HEAD + "not today", true, FAILED, "body lacks 'ok'"),
                Arguments.of(200, "ok", OK_HEAD + "x".repeat(20_000) + "ok", false, FAILED,
                        "body lacks 'ok' in its first 16384 bytes"),
                Arguments.of(200, "ok", "HTTP/1.1 200 OK\r\nA: b\r\n", true, FAILED, "closed before the end of the headers"),
                Arguments.of(200, null, "", true, FAILED, "closed without a response"),
                Arguments.of(200, null, "HTTP/1.1 2", true, FAILED, "closed within the status line"),
                Arguments.of(200, null, "HTTP/1.1 200 OK", true, FAILED, "closed within the status line"),
                Arguments.of(200, null, "garbage\r\n\r\n", false, FAILED, "no HTTP/1.x status line"),
                Arguments.of(200, null, "\u0000\u0001\u00ff\r\n", false, FAILED, "no HTTP/1.x status line"),
                Arguments.of(200, null, "HTTP/2 200\r\n\r\n", false, FAILED, "no HTTP/1.x status line"),
                Arguments.of(200, null, "HTTP/1.1  200 OK\r\n\r\n", false, FAILED, "no HTTP/1.x status line"),
                Arguments.of(200, null, "HTTP/1.1 20 OK\r\n\r\n", false, FAILED, "no HTTP/1.x status line"),
                Arguments.of(200, null, "HTTP/1.1 2000\r\n\r\n", false, FAILED, "no HTTP/1.x status line"),
                Arguments.of(200, null, "HTTP/1.1 099 Low\r\n\r\n", false, FAILED, "no HTTP/1.x status line"),
                Arguments.of(200, null, "http/1.1 200 OK\r\n\r\n", false, FAILED, "no HTTP/1.x status line"),
                // headers that never end, and a status line that never ends
                Arguments.of(200, null, "HTTP/1.1 200 OK\r\n" + "X-Filler: yes\r\n".repeat(400), false, FAILED,
                        "headers exceed 4096 bytes"),
                Arguments.of(200, null, "HTTP/1.1 200 " + "O".repeat(10_000), false, FAILED, "headers exceed 4096 bytes"));
    }

    @ParameterizedTest(name = "[{index}] expect {0} body {1}: {5}")
    @MethodSource("responses")
    void verdictIsTheSameWholeInPiecesAndByteByByte(int status, String body, String response, boolean closes,
                                                     int verdict, String cause) {
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        for (int piece : new int[] {Math.max(1, bytes.length), 7, 1}) {
            HttpResponseScanner scanner = new HttpResponseScanner(status, body);
            int result = MORE;
            int taken = 0;
            for (int at = 0; at < bytes.length && result == MORE; at += piece) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes, at, Math.min(piece, bytes.length - at));
                result = scanner.feed(buffer);
                taken += buffer.position() - at;
            }
            if (result == MORE) {
                assertTrue(closes, "piece " + piece + ": no verdict though the server did not close");
                result = scanner.endOfStream();
            }
            assertEquals(verdict, result, "piece " + piece + ": " + scanner.cause());
            assertEquals(cause, scanner.cause(), "piece " + piece);
            assertTrue(taken <= HttpResponseScanner.MAX_HEADER_BYTES + 1 + HttpResponseScanner.MAX_BODY_SCAN_BYTES,
                    "piece " + piece + ": read " + taken + " bytes, past the bounds");
        }
    }

    @Test
    void aSubstringSplitAcrossReadsIsFound() {
        HttpResponseScanner scanner = new HttpResponseScanner(200, "healthy");
        assertEquals(MORE, scanner.feed(ascii(OK_HEAD + "state=heal")));
        assertEquals(MORE, scanner.feed(ascii("t")));
        assertEquals(PASSED, scanner.feed(ascii("hy and more")));
    }

    @Test
    void tenMegabytesOfBodyAreNotReadPastTheBound() {
        HttpResponseScanner scanner = new HttpResponseScanner(200, "never");
        scanner.feed(ascii(OK_HEAD));
        byte[] chunk = new byte[65_536];
        java.util.Arrays.fill(chunk, (byte) 'x');
        long taken = 0;
        for (int i = 0; i < 160 && scanner.verdict() == MORE; i++) {
            ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, Math.min(chunk.length, Math.max(1, scanner.bytesWanted())));
            scanner.feed(buffer);
            taken += buffer.position();
        }
        assertEquals(FAILED, scanner.verdict());
        assertEquals(HttpResponseScanner.MAX_BODY_SCAN_BYTES, taken);
        assertEquals(0, scanner.bytesWanted());
    }

    @Test
    void bytesWantedNeverAsksForNothingBeforeAVerdict() {
        HttpResponseScanner scanner = new HttpResponseScanner(200, null);
        ByteBuffer filler = ascii("HTTP/1.1 200 " + "O".repeat(HttpResponseScanner.MAX_HEADER_BYTES - 13));
        assertEquals(MORE, scanner.feed(filler));
        assertEquals(1, scanner.bytesWanted(), "one more byte decides: the bound is passed or the headers end");
        assertEquals(FAILED, scanner.feed(ascii("K")));
    }

    @Test
    void resetMakesTheScannerReusable() {
        HttpResponseScanner scanner = new HttpResponseScanner(200, "ok");
        assertEquals(FAILED, scanner.feed(ascii("HTTP/1.1 500 Oops\r\n\r\n")));
        scanner.reset();
        assertEquals(PASSED, scanner.feed(ascii(OK_HEAD + "ok")));
        assertEquals(200, scanner.status());
    }

    static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
