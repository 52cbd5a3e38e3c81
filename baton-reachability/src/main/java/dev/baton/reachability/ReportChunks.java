package dev.baton.reachability;

import dev.baton.peer.MessageType;
import dev.baton.peer.ReachabilityReportFlyweight;
import dev.baton.probe.Health;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * This router's report cut into REACHABILITY_REPORT chunks of at most {@link #RECORDS_PER_CHUNK} elements
 * ({@code docs/protocol.md}). A new instance per generation: the sender takes a new one whenever its set or an
 * element's state changes, and sends every chunk of the current one at each reporting interval.
 */
public final class ReportChunks {

    /** Elements per chunk: as many as fit in one unfragmented peer datagram. */
    public static final int RECORDS_PER_CHUNK = MessageType.REACHABILITY_REPORT.maxRecords();

    private final long generation;
    private final List<ElementReport> elements;
    private final byte[][] names;

    /**
     * @param generation the report's generation (unsigned 32 bits; it wraps)
     * @param report     this router's report; element names are 1..24 characters of {@code A-Z a-z 0-9 . _ : -}
     *                   (the configuration checks them)
     */
    public ReportChunks(long generation, ReachabilityReport report) {
        if (report.elements().size() > ReachabilityReportFlyweight.MAX_ELEMENTS) {
            throw new IllegalArgumentException("at most " + ReachabilityReportFlyweight.MAX_ELEMENTS + " elements");
        }
        this.generation = generation & 0xFFFF_FFFFL;
        this.elements = report.elements();
        this.names = new byte[elements.size()][];
        for (int i = 0; i < names.length; i++) {
            names[i] = elements.get(i).name().getBytes(StandardCharsets.US_ASCII);
            if (!validName(names[i])) {
                throw new IllegalArgumentException("element name '" + elements.get(i).name() + "' is not 1.."
                        + ReachabilityReportFlyweight.NAME_LENGTH + " of A-Z a-z 0-9 . _ : -");
            }
        }
    }

    /** Whether {@code name} may name an element on the wire. */
    public static boolean validName(byte[] name) {
        if (name.length < 1 || name.length > ReachabilityReportFlyweight.NAME_LENGTH) {
            return false;
        }
        for (byte b : name) {
            if (!ReachabilityReportFlyweight.nameByte(b & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    public long generation() {
        return generation;
    }

    /** How many chunks the report takes: at least one (an empty set is reported too). */
    public int chunks() {
        return Math.max(1, (elements.size() + RECORDS_PER_CHUNK - 1) / RECORDS_PER_CHUNK);
    }

    /** The payload length of chunk {@code chunk}. */
    public int payloadLength(int chunk) {
        return MessageType.REACHABILITY_REPORT.payloadLength(recordsIn(chunk));
    }

    /** Writes chunk {@code chunk} into {@code into}, already wrapped on {@link #payloadLength(int)} bytes. */
    public void write(int chunk, ReachabilityReportFlyweight into) {
        int first = chunk * RECORDS_PER_CHUNK;
        int count = recordsIn(chunk);
        into.set(generation, elements.size(), first, count);
        for (int i = 0; i < count; i++) {
            ElementReport element = elements.get(first + i);
            into.record(i, names[first + i], element.weight(), element.required(), code(element.health()));
        }
    }

    private int recordsIn(int chunk) {
        if (chunk < 0 || chunk >= chunks()) {
            throw new IndexOutOfBoundsException("chunk " + chunk + " of " + chunks());
        }
        return Math.min(RECORDS_PER_CHUNK, elements.size() - chunk * RECORDS_PER_CHUNK);
    }

    static int code(Health health) {
        return switch (health) {
            case UNKNOWN -> ReachabilityReportFlyweight.HEALTH_UNKNOWN;
            case UP -> ReachabilityReportFlyweight.HEALTH_UP;
            case DOWN -> ReachabilityReportFlyweight.HEALTH_DOWN;
        };
    }

    static Health health(int code) {
        return switch (code) {
            case ReachabilityReportFlyweight.HEALTH_UP -> Health.UP;
            case ReachabilityReportFlyweight.HEALTH_DOWN -> Health.DOWN;
            default -> Health.UNKNOWN;
        };
    }
}
