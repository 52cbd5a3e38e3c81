package dev.baton.ha;

import dev.baton.monitor.MonitorState;
import dev.baton.monitor.Role;
import dev.baton.monitor.SyncState;
import dev.baton.peer.Verdict;

import java.util.List;
import java.util.Map;

/**
 * What {@code baton ctl status} shows of the HA agent, as data: per VIP (its monitor, ownership, table and what
 * each peer last said about it), per peer (its links), and the peer message counters. The control module
 * renders it as JSON and text.
 *
 * @param routerNumber this router's number (unsigned 32 bits)
 * @param incarnation  this run's incarnation (unsigned)
 * @param configDigest the services digest peers compare
 */
public record HaStatus(long routerNumber, long incarnation, long configDigest, List<Vip> vips, List<Peer> peers,
                       PeerMessages messages) {

    /**
     * One VIP, the unit of takeover.
     *
     * @param activePeer     the peer this router hears as active, "this router", or empty
     * @param following      the peer whose table the shards follow, or empty
     * @param lastTransition the monitor's last transition or note, or null before the first
     */
    public record Vip(String vip, List<String> services, Role role, int priority, MonitorState state, SyncState sync,
                      long term, boolean forwarding, boolean answeringArp, String activePeer, String following,
                      long tableSize, long tableDigest, boolean localLinksUp, boolean configDiffers,
                      long gratuitousArpSent, LastTransition lastTransition, List<PeerRecord> peers) {
    }

    /** The monitor's last transition: how long ago, its numeral, states and reason. */
    public record LastTransition(long agoMs, int reference, MonitorState from, MonitorState to, String reason) {
    }

    /**
     * What one peer last said about the VIP in its keep-alive; {@code heard} false when it never did (the other
     * fields are then empty).
     */
    public record PeerRecord(String peer, boolean heard, MonitorState state, SyncState sync, long term, boolean linksUp,
                             long tableSize, long tableDigest, long heardMsAgo) {
    }

    /** One peer router and its links. */
    public record Peer(String name, long routerNumber, String state, long incarnation, boolean echoedOurIncarnation,
                       List<Link> links) {
    }

    /** One link to a peer; {@code heardMsAgo} -1 when never heard. */
    public record Link(int link, String addresses, String state, long heardMsAgo, long heartbeatsSent,
                       long heartbeatsReceived, long failures) {
    }

    /**
     * Received peer messages by verdict, and what the transport and the agent dropped or withheld.
     *
     * @param verdicts every verdict (accepted and each rejection) and its count
     */
    public record PeerMessages(Map<Verdict, Long> verdicts, long rejected, long sendFailures, long foreignSource,
                               long receiveErrors, long malformed, long unknownVip, long streamWithoutWorker,
                               long syncRequestsRefused, long staleStateClaims, long ignoredBeforeEcho,
                               long heartbeatsWithheldAfterStall) {
    }
}
