package dev.baton.probe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads an HTTP/1.x response byte by byte, as it arrives in pieces, and decides a health check: the status line
 * (RFC 9112 §4: {@code HTTP/1.x SP 3DIGIT}, then SP or the line's end) must carry the expected code, the header
 * section must end (an empty line) within {@value #MAX_HEADER_BYTES} bytes counted from the first byte, and, if
 * a body substring is asked for, it must appear within the first {@value #MAX_BODY_SCAN_BYTES} bytes of the body
 * (found across reads by a Knuth-Morris-Pratt matcher, so a needle split between two reads is found).
 *
 * <p>Nothing is buffered: the state is a few integers, so a server that sends 10 MB, never ends its headers or
 * sends garbage costs at most {@value #MAX_HEADER_BYTES} + {@value #MAX_BODY_SCAN_BYTES} bytes of reading before
 * the verdict, and never an allocation or an exception. Header fields are not interpreted: Content-Length is not
 * needed (the body is read to the substring, the bound or the end of the stream) and the request is HTTP/1.0, to
 * which no server may answer in chunks. Lines may end in CRLF or a bare LF (RFC 9112 §2.2 allows a recipient to
 * accept the latter).
 *
 * <p>One per target, reused for each probe after {@link #reset()}. Not thread-safe.
 */
public final class HttpResponseScanner {

    /** The status line and header section must end within this many bytes. */
    public static final int MAX_HEADER_BYTES = 4_096;
    /** The body substring must appear within this many bytes of the body. */
    public static final int MAX_BODY_SCAN_BYTES = 16_384;

    /** {@link #feed} result: no verdict yet, feed more. */
    public static final int MORE = 0;
    /** Verdict: the check passed; {@link #cause()} says "HTTP nnn". */
    public static final int PASSED = 1;
    /** Verdict: the check failed; {@link #cause()} says why. */
    public static final int FAILED = 2;

    static final String NO_RESPONSE = "closed without a response";
    static final String BAD_STATUS_LINE = "no HTTP/1.x status line";
    static final String CLOSED_IN_STATUS_LINE = "closed within the status line";
    static final String CLOSED_IN_HEADERS = "closed before the end of the headers";
    static final String HEADERS_TOO_LONG = "headers exceed " + MAX_HEADER_BYTES + " bytes";

    private static final byte[] VERSION_PREFIX = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);
    /** "HTTP nnn" for every code 100..999 a status line can carry, made once, so a verdict allocates nothing. */
    private static final String[] STATUS_CAUSES = new String[1_000];

    static {
        for (int code = 100; code < STATUS_CAUSES.length; code++) {
            STATUS_CAUSES[code] = "HTTP " + code;
        }
    }

    // Phases of the response.
    private static final int VERSION = 0;
    private static final int MINOR_DIGIT = 1;
    private static final int SPACE_BEFORE_CODE = 2;
    private static final int CODE = 3;
    private static final int AFTER_CODE = 4;
    private static final int REASON = 5;
    private static final int HEADERS = 6;
    private static final int BODY = 7;
    private static final int DONE = 8;

    private final int expectedStatus;
    private final byte[] needle;
    /** KMP failure function: the length of the longest proper prefix of needle[0..i] that is also its suffix. */
    private final int[] failure;
    private final String bodyLacksCause;
    private final String bodyLacksWithinBoundCause;

    private int phase;
    private int headerBytes;
    private int bodyBytes;
    private int index;
    private int status;
    private int lineLength;
    private int matched;
    private int verdict;
    private String cause;

    /**
     * @param expectedStatus the status code that passes, 100..599
     * @param bodySubstring  what the body must contain, or null for no body check
     */
    public HttpResponseScanner(int expectedStatus, String bodySubstring) {
        if (expectedStatus < 100 || expectedStatus > 599) {
            throw new IllegalArgumentException("expected HTTP status must be within 100..599: " + expectedStatus);
        }
        this.expectedStatus = expectedStatus;
        if (bodySubstring == null) {
            this.needle = null;
            this.failure = null;
            this.bodyLacksCause = null;
            this.bodyLacksWithinBoundCause = null;
        } else {
            this.needle = bodySubstring.getBytes(StandardCharsets.UTF_8);
            if (needle.length == 0) {
                throw new IllegalArgumentException("the body substring is empty");
            }
            this.failure = failureFunction(needle);
            this.bodyLacksCause = "body lacks '" + bodySubstring + "'";
            this.bodyLacksWithinBoundCause = bodyLacksCause + " in its first " + MAX_BODY_SCAN_BYTES + " bytes";
        }
        reset();
    }

    /** Forgets the last response: ready for the next probe. */
    public void reset() {
        phase = VERSION;
        headerBytes = 0;
        bodyBytes = 0;
        index = 0;
        status = 0;
        lineLength = 0;
        matched = 0;
        verdict = MORE;
        cause = null;
    }

    /**
     * Takes the bytes between {@code buffer}'s position and limit, up to the verdict: the position is left after
     * the last byte taken.
     *
     * @return {@link #MORE}, {@link #PASSED} or {@link #FAILED}
     */
    public int feed(ByteBuffer buffer) {
        int at = buffer.position();
        int end = buffer.limit();
        while (at < end && verdict == MORE) {
            step(buffer.get(at++));
        }
        buffer.position(at);
        return verdict;
    }

    /**
     * The server closed the connection (or reset it: the caller passes its own cause then): the verdict on what
     * came so far.
     *
     * @return {@link #PASSED} or {@link #FAILED}
     */
    public int endOfStream() {
        if (verdict != MORE) {
            return verdict;
        }
        switch (phase) {
            case VERSION -> fail(index == 0 && headerBytes == 0 ? NO_RESPONSE : CLOSED_IN_STATUS_LINE);
            case MINOR_DIGIT, SPACE_BEFORE_CODE, CODE, AFTER_CODE, REASON -> fail(CLOSED_IN_STATUS_LINE);
            case HEADERS -> fail(CLOSED_IN_HEADERS);
            default -> fail(bodyLacksCause);
        }
        return verdict;
    }

    /**
     * How many more bytes this response may need before a verdict, at least 1 until then: what the engine may read
     * next. In the header section that is one past the bound, the byte that either ends the headers or fails them.
     */
    public int bytesWanted() {
        if (verdict != MORE) {
            return 0;
        }
        return phase == BODY ? MAX_BODY_SCAN_BYTES - bodyBytes : MAX_HEADER_BYTES - headerBytes + 1;
    }

    /** {@link #MORE} until a verdict, then {@link #PASSED} or {@link #FAILED}. */
    public int verdict() {
        return verdict;
    }

    /** The verdict's cause ("HTTP 200", "HTTP 503", "body lacks 'ok'", ...), or null before it. */
    public String cause() {
        return cause;
    }

    /** The status code read, or 0 before the status line was complete. */
    public int status() {
        return status;
    }

    private void step(byte b) {
        if (phase < BODY) {
            if (++headerBytes > MAX_HEADER_BYTES) {
                fail(HEADERS_TOO_LONG);
                return;
            }
        }
        switch (phase) {
            case VERSION -> {
                if (b != VERSION_PREFIX[index]) {
                    fail(BAD_STATUS_LINE);
                } else if (++index == VERSION_PREFIX.length) {
                    phase = MINOR_DIGIT;
                }
            }
            case MINOR_DIGIT -> {
                if (isDigit(b)) {
                    phase = SPACE_BEFORE_CODE;
                } else {
                    fail(BAD_STATUS_LINE);
                }
            }
            case SPACE_BEFORE_CODE -> {
                if (b == ' ') {
                    phase = CODE;
                    index = 0;
                } else {
                    fail(BAD_STATUS_LINE);
                }
            }
            case CODE -> {
                if (!isDigit(b)) {
                    fail(BAD_STATUS_LINE);
                } else {
                    status = status * 10 + (b - '0');
                    if (++index == 3) {
                        phase = AFTER_CODE;
                    }
                }
            }
            case AFTER_CODE -> {
                if (b != ' ' && b != '\r' && b != '\n') {
                    fail(BAD_STATUS_LINE);
                } else if (status < 100) {
                    // RFC 9110 §15: codes are 100..599; 000..099 is not a status (1xx..9xx are reported as read).
                    fail(BAD_STATUS_LINE);
                } else if (status != expectedStatus) {
                    fail(STATUS_CAUSES[status]);
                } else {
                    phase = b == '\n' ? HEADERS : REASON;
                    lineLength = 0;
                }
            }
            case REASON -> {
                if (b == '\n') {
                    phase = HEADERS;
                    lineLength = 0;
                }
            }
            case HEADERS -> {
                if (b == '\n') {
                    if (lineLength == 0) {
                        headersEnded();
                    }
                    lineLength = 0;
                } else if (b != '\r') {
                    lineLength++;
                }
            }
            case BODY -> scanBody(b);
            default -> {
                // DONE: nothing more is taken
            }
        }
    }

    private void headersEnded() {
        if (needle == null) {
            pass();
        } else {
            phase = BODY;
        }
    }

    private void scanBody(byte b) {
        bodyBytes++;
        int at = matched;
        while (at > 0 && needle[at] != b) {
            at = failure[at - 1];
        }
        if (needle[at] == b) {
            at++;
        }
        if (at == needle.length) {
            pass();
            return;
        }
        matched = at;
        if (bodyBytes >= MAX_BODY_SCAN_BYTES) {
            fail(bodyLacksWithinBoundCause);
        }
    }

    private void pass() {
        phase = DONE;
        verdict = PASSED;
        cause = STATUS_CAUSES[status];
    }

    private void fail(String why) {
        phase = DONE;
        verdict = FAILED;
        cause = why;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int[] failureFunction(byte[] pattern) {
        int[] table = new int[pattern.length];
        int length = 0;
        for (int i = 1; i < pattern.length; i++) {
            while (length > 0 && pattern[i] != pattern[length]) {
                length = table[length - 1];
            }
            if (pattern[i] == pattern[length]) {
                length++;
            }
            table[i] = length;
        }
        return table;
    }
}
