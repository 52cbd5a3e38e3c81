package dev.baton.reachability;

import dev.baton.peer.ReachabilityReportFlyweight;

import java.util.ArrayList;
import java.util.List;

/**
 * One peer's reachability report, put together from its REACHABILITY_REPORT chunks. Storage for the largest
 * report ({@value ReachabilityReportFlyweight#MAX_ELEMENTS} elements) is taken once, when the peer is configured,
 * so nothing a chunk says sizes an allocation; a report becomes {@link #report() current} only once every chunk
 * of its generation is in, and stays current until a newer generation is complete.
 *
 * <p>Generations are compared as 32-bit serial numbers (RFC 1982): a chunk of an older generation than the one
 * being assembled is stale and dropped; a newer one starts the assembly over. A restarted peer starts its
 * generations over: the HA agent calls {@link #reset()} when the peer's incarnation changes. Owned by the HA
 * agent's thread.
 */
public final class ReportAssembler {

    private static final int MAX = ReachabilityReportFlyweight.MAX_ELEMENTS;
    private static final int NAME = ReachabilityReportFlyweight.NAME_LENGTH;

    private final String router;
    private final boolean[] have = new boolean[MAX];
    private final byte[] names = new byte[MAX * NAME];
    private final byte[] nameLengths = new byte[MAX];
    private final short[] weights = new short[MAX];
    private final boolean[] required = new boolean[MAX];
    private final byte[] health = new byte[MAX];
    private boolean assembling;
    private long generation;
    private int total;
    private int received;
    private ReachabilityReport report;
    private long reportGeneration;
    private long reportAtMs = Long.MIN_VALUE;
    private long completed;
    private long staleChunks;
    private long inconsistentChunks;

    /** @param router the peer's name (the reports' {@link ReachabilityReport#router()}) */
    public ReportAssembler(String router) {
        this.router = router;
    }

    /**
     * Takes one chunk, already checked {@link ReachabilityReportFlyweight#valid() valid}.
     *
     * @return whether it completed a report (then {@link #report()} is the new one)
     */
    public boolean offer(ReachabilityReportFlyweight chunk, long nowMs) {
        long chunkGeneration = chunk.generation();
        if (assembling || report != null) {
            int age = (int) (chunkGeneration - generation);
            if (age < 0) {
                staleChunks++;
                return false;
            }
            if (age == 0 && !assembling) {
                // The periodic resend of the generation already complete (or given up): nothing new, but the peer
                // still says it, so the report is current.
                if (report != null && reportGeneration == chunkGeneration) {
                    reportAtMs = nowMs;
                }
                return false;
            }
            if (age > 0) {
                start(chunkGeneration, chunk.elementCount());
            } else if (chunk.elementCount() != total) {
                inconsistentChunks++; // one generation, two sizes: a broken sender; wait for the next generation
                assembling = false;
                return false;
            }
        } else {
            start(chunkGeneration, chunk.elementCount());
        }
        for (int i = 0; i < chunk.recordCount(); i++) {
            int index = chunk.firstIndex() + i;
            if (!have[index]) {
                have[index] = true;
                received++;
            }
            int length = chunk.nameLength(i);
            nameLengths[index] = (byte) length;
            for (int b = 0; b < NAME; b++) {
                names[index * NAME + b] = (byte) chunk.nameByte(i, b);
            }
            weights[index] = (short) chunk.weight(i);
            required[index] = chunk.required(i);
            health[index] = (byte) chunk.health(i);
        }
        if (received < total) {
            return false;
        }
        List<ElementReport> elements = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            String name = new String(names, i * NAME, nameLengths[i], java.nio.charset.StandardCharsets.US_ASCII);
            elements.add(new ElementReport(name, weights[i], required[i], ReportChunks.health(health[i])));
        }
        report = new ReachabilityReport(router, elements);
        reportGeneration = generation;
        reportAtMs = nowMs;
        assembling = false;
        completed++;
        return true;
    }

    private void start(long newGeneration, int newTotal) {
        java.util.Arrays.fill(have, 0, MAX, false);
        generation = newGeneration;
        total = newTotal;
        received = 0;
        assembling = true;
    }

    /** The peer restarted: its generations start over, and its last report says nothing about it now. */
    public void reset() {
        assembling = false;
        report = null;
        reportAtMs = Long.MIN_VALUE;
    }

    /** The last complete report, or {@code null} before the first. */
    public ReachabilityReport report() {
        return report;
    }

    /** When the peer last sent (a chunk of) the current report; {@link Long#MIN_VALUE} before the first. */
    public long reportAtMs() {
        return reportAtMs;
    }

    /** The last complete report's generation (meaningful once there is one). */
    public long generation() {
        return reportGeneration;
    }

    public long completedReports() {
        return completed;
    }

    /** Chunks of an older generation than the newest seen (reordered or delayed on the way). */
    public long staleChunks() {
        return staleChunks;
    }

    /** Chunks whose element count disagreed with their generation's first chunk. */
    public long inconsistentChunks() {
        return inconsistentChunks;
    }
}
