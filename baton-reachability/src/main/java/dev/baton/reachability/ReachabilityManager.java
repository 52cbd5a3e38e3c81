package dev.baton.reachability;

import dev.baton.peer.ReachabilityReportFlyweight;
import dev.baton.probe.Health;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One router's reach-ability manager (RM 230, US 6,148,410 FIG. 4): its own current reachability state (fed by
 * the probes, element by element), the reports of its peers (assembled from their chunks), when to send its own,
 * and, for each VIP this router is active for, the active RM's decision. Pure and single-threaded: the HA agent's
 * thread feeds it and carries out what it says (sends the chunks, asks the chosen router to take the VIP over).
 *
 * <p>A peer's report older than {@link #STALE_INTERVALS} reporting intervals says nothing about the peer now (its
 * reports stopped: it is dying, or partitioned): the peer is left out of the comparison until a new one comes.
 */
public final class ReachabilityManager {

    /** Reporting intervals after which a peer's last report no longer counts. */
    public static final int STALE_INTERVALS = 3;
    /** The least time between two reports sent because something changed (a flapping element sends no storm). */
    public static final long MIN_CHANGE_GAP_MS = 100;

    /** An element of this router's set, as configured. */
    public record Element(String name, int weight, boolean required) {
        public Element {
            Objects.requireNonNull(name, "name");
        }
    }

    private final String self;
    private final List<Element> set;
    private final Health[] health;
    private final long reportIntervalMs;
    private final ReportAssembler[] peers;
    private final CompareFunction function;
    private final ReachabilityJudge[] judges;
    private final Judgement[] lastJudgement;
    private long generation = 1;
    private ReachabilityReport ownReport;
    private ReportChunks ownChunks;
    private boolean changed = true;
    private long lastSentMs = Long.MIN_VALUE;
    private long reportsSent;

    /**
     * @param self             this router's name
     * @param set              its reachability set, in configuration order
     * @param function         the compare function
     * @param hysteresis       margin and hold
     * @param reportIntervalMs how often the report goes to the peers when nothing changes
     * @param peerNames        the peers, by peer index
     * @param vips             how many VIPs (each active one gets a judge)
     */
    public ReachabilityManager(String self, List<Element> set, CompareFunction function, Hysteresis hysteresis,
                               long reportIntervalMs, List<String> peerNames, int vips) {
        this.self = self;
        this.set = List.copyOf(set);
        if (this.set.size() > ReachabilityReportFlyweight.MAX_ELEMENTS) {
            throw new IllegalArgumentException(set.size() + " elements; at most " + ReachabilityReportFlyweight.MAX_ELEMENTS);
        }
        this.health = new Health[this.set.size()];
        java.util.Arrays.fill(health, Health.UNKNOWN);
        this.reportIntervalMs = reportIntervalMs;
        this.peers = new ReportAssembler[peerNames.size()];
        for (int p = 0; p < peers.length; p++) {
            peers[p] = new ReportAssembler(peerNames.get(p));
        }
        this.function = function;
        this.judges = new ReachabilityJudge[vips];
        this.lastJudgement = new Judgement[vips];
        for (int v = 0; v < vips; v++) {
            judges[v] = new ReachabilityJudge(function, hysteresis);
        }
        rebuild();
    }

    // ---- this router's state ------------------------------------------------------------------------

    /** Element {@code index}'s probes say {@code now}; a change makes a new generation, sent at once (rate-limited). */
    public void elementHealth(int index, Health now) {
        if (health[index] != now) {
            health[index] = now;
            generation = (generation + 1) & 0xFFFF_FFFFL;
            changed = true;
            rebuild();
        }
    }

    private void rebuild() {
        List<ElementReport> elements = new ArrayList<>(set.size());
        for (int i = 0; i < set.size(); i++) {
            Element element = set.get(i);
            elements.add(new ElementReport(element.name(), element.weight(), element.required(), health[i]));
        }
        ownReport = new ReachabilityReport(self, elements);
        ownChunks = new ReportChunks(generation, ownReport);
    }

    public ReachabilityReport ownReport() {
        return ownReport;
    }

    /**
     * The report to send to every peer now, or {@code null}: at each reporting interval, and at once (at most
     * every {@link #MIN_CHANGE_GAP_MS}) after a change.
     */
    public ReportChunks reportDue(long nowMs) {
        boolean intervalPassed = lastSentMs == Long.MIN_VALUE || nowMs - lastSentMs >= reportIntervalMs;
        boolean changeDue = changed && (lastSentMs == Long.MIN_VALUE || nowMs - lastSentMs >= MIN_CHANGE_GAP_MS);
        if (!intervalPassed && !changeDue) {
            return null;
        }
        lastSentMs = nowMs;
        changed = false;
        reportsSent++;
        return ownChunks;
    }

    public long reportsSent() {
        return reportsSent;
    }

    // ---- peers' reports -----------------------------------------------------------------------------

    /** A valid chunk of peer {@code peer}'s report; true when it completed a report. */
    public boolean offer(int peer, ReachabilityReportFlyweight chunk, long nowMs) {
        return peers[peer].offer(chunk, nowMs);
    }

    /** Peer {@code peer} restarted: its generations start over and its old report is void. */
    public void peerRestarted(int peer) {
        peers[peer].reset();
    }

    /** Peer {@code peer}'s last complete report if it is still current, else {@code null}. */
    public ReachabilityReport peerReport(int peer, long nowMs) {
        ReportAssembler assembler = peers[peer];
        if (assembler.report() == null || nowMs - assembler.reportAtMs() > STALE_INTERVALS * reportIntervalMs) {
            return null;
        }
        return assembler.report();
    }

    public ReportAssembler assembler(int peer) {
        return peers[peer];
    }

    public int peerCount() {
        return peers.length;
    }

    // ---- the active RM --------------------------------------------------------------------------------

    /**
     * The active RM's decision for VIP {@code vip}, active here (FIG. 4 steps 440-460).
     *
     * @param ready    per peer index: whether it could take the VIP over now (a synchronized standby that verified
     *                 this router's dump, links up)
     * @param notReady per peer index: why not, when not ready
     */
    public Judgement judge(int vip, long nowMs, boolean[] ready, String[] notReady) {
        List<Candidate> candidates = new ArrayList<>(peers.length);
        for (int p = 0; p < peers.length; p++) {
            ReachabilityReport report = peerReport(p, nowMs);
            if (report != null) {
                candidates.add(new Candidate(report, ready[p], ready[p] ? "" : notReady[p]));
            }
        }
        Judgement judgement = judges[vip].judge(nowMs, ownReport, candidates);
        lastJudgement[vip] = judgement;
        return judgement;
    }

    /**
     * Whether this router reaches less than peer {@code peer} under the compare function (any margin): a primary
     * that does must not fail back to it. False when either state is unknown (this router unsettled, or no
     * current settled report from the peer): nothing is held back on a guess.
     */
    public boolean reachesLessThan(int peer, long nowMs) {
        ReachabilityReport theirs = peerReport(peer, nowMs);
        if (theirs == null || !theirs.settled() || !ownReport.settled()) {
            return false;
        }
        return function.score(ownReport).compareTo(function.score(theirs)) < 0;
    }

    /** VIP {@code vip} left ACTIVE here: its hold in progress is forgotten. */
    public void vipLeftActive(int vip) {
        judges[vip].reset();
        lastJudgement[vip] = null;
    }

    /** The last decision for VIP {@code vip} while it was active here, or {@code null}. */
    public Judgement lastJudgement(int vip) {
        return lastJudgement[vip];
    }

    public ReachabilityJudge judge(int vip) {
        return judges[vip];
    }

    public List<Element> set() {
        return set;
    }

    public Health health(int index) {
        return health[index];
    }
}
