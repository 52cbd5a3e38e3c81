package dev.baton.peer.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.baton.codec.testing.AllocationBudget;
import dev.baton.peer.AckFlyweight;
import dev.baton.peer.ConnectionRecordFlyweight;
import dev.baton.peer.KeepAliveFlyweight;
import dev.baton.peer.MessageAuthenticator;
import dev.baton.peer.MessageType;
import dev.baton.peer.MessageVerifier;
import dev.baton.peer.NackFlyweight;
import dev.baton.peer.PeerHeaderFlyweight;
import dev.baton.peer.PeerKey;
import dev.baton.peer.PeerMessageBuffer;
import dev.baton.peer.ReachabilityReportFlyweight;
import dev.baton.peer.ServerSettingsFlyweight;
import dev.baton.peer.ReplayWindow;
import dev.baton.peer.ServiceNoticeFlyweight;
import dev.baton.peer.SyncBatchFlyweight;
import dev.baton.peer.SyncEndFlyweight;
import dev.baton.peer.SyncRequestFlyweight;
import dev.baton.peer.UpdateBatchFlyweight;
import dev.baton.peer.Verdict;
import dev.baton.peer.VerdictCounters;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target, kept in the build: datagrams at the peer port through
 * {@link MessageVerifier#verify} and then every message decoder (the baton-peer flyweights).
 *
 * <p>The input is a sequence of datagrams, each {@code [control u8][length u16][bytes]}. Control bit 0
 * signs the datagram with the key of the pair (sender chosen by bit 2, the receiver B) (the HMAC over
 * everything but the last 16 bytes, as {@link dev.baton.peer.MessageComposer} does), bit 1 first makes its
 * header plausible (magic, version, payload length, that sender and, unless bit 3, the receiver as
 * destination), so the fuzzer reaches the replay window and the decoders behind the MAC with bytes it chose;
 * with neither bit the datagram is raw junk, as anyone can send. The seeds are authentic datagrams from A
 * and C to B (raw, control 0), a replay, a bad tag, a wrong destination and a stated count too large.
 *
 * <p>Invariants: nothing throws; exactly one verdict is counted per datagram; a rejected datagram changes
 * no replay window and leaves no type; an accepted one has a valid payload of its type whose every field
 * and record reads back; each decoder wrapped on raw bytes either says invalid or reads back; verifying
 * allocates no more than a fixed bound (nothing in proportion to a length or count in the datagram).
 */
class PeerMessageFuzzTest {

    static final int ROUTER_A = 0x0A0A0001;
    /** The receiver. */
    static final int ROUTER_B = 0x0B0B0002;
    static final int ROUTER_C = 0x0C0C0003;
    static final int[] PEERS = {ROUTER_A, ROUTER_C};
    /** Per datagram: {@link MessageVerifier} allocates nothing; anything sized by a number in it exceeds this. */
    static final long MAX_ALLOCATED_BYTES_PER_DATAGRAM = 1 << 20;
    static final int SIGN = 1;
    static final int PLAUSIBLE_HEADER = 2;
    static final int SENDER_C = 4;
    static final int KEEP_DESTINATION = 8;

    static PeerKey key() {
        byte[] bytes = new byte[32];
        new Random(1).nextBytes(bytes);
        return PeerKey.of(bytes);
    }

    /** Per sender in {@link #PEERS}: the authenticator under its pair key with B. */
    private final MessageAuthenticator[] authenticators = {
            new MessageAuthenticator(key().pairKey(ROUTER_A, ROUTER_B)),
            new MessageAuthenticator(key().pairKey(ROUTER_C, ROUTER_B))};
    private final PeerMessageBuffer buffer = new PeerMessageBuffer();
    private final PeerHeaderFlyweight header = new PeerHeaderFlyweight();
    private final Decoders decoders = new Decoders();
    private final AllocationBudget allocation = new AllocationBudget(MAX_ALLOCATED_BYTES_PER_DATAGRAM);

    @FuzzTest(maxDuration = "10s")
    void verifyThenDecode(byte[] input) {
        allocation.run(() -> run(input));
    }

    private void run(byte[] input) {
        VerdictCounters counters = new VerdictCounters();
        MessageVerifier verifier = new MessageVerifier(ROUTER_B, key(), PEERS, counters);
        int at = 0;
        long datagrams = 0;
        while (at + 3 <= input.length) {
            int control = input[at] & 0xFF;
            int length = Math.min(((input[at + 1] & 0xFF) << 8) | (input[at + 2] & 0xFF), input.length - at - 3);
            at += 3;
            // The buffer may hold more than a datagram's bytes: the verifier must look at `length` only.
            length = Math.min(length, buffer.capacity());
            System.arraycopy(input, at, buffer.bytes(), 0, length);
            at += length;
            int sender = (control & SENDER_C) != 0 ? 1 : 0;
            if ((control & PLAUSIBLE_HEADER) != 0 && length >= PeerHeaderFlyweight.MIN_MESSAGE_LENGTH) {
                header.wrap(buffer.segment(), 0, length)
                        .magic(PeerHeaderFlyweight.MAGIC)
                        .version(PeerHeaderFlyweight.VERSION)
                        .payloadLength(length - PeerHeaderFlyweight.MIN_MESSAGE_LENGTH)
                        .senderRouterId(PEERS[sender]);
                if ((control & KEEP_DESTINATION) == 0) {
                    header.destinationRouterId(ROUTER_B);
                }
            }
            if ((control & SIGN) != 0 && length >= PeerHeaderFlyweight.TAG_LENGTH) {
                authenticators[sender].sign(buffer.bytes(), 0, length - PeerHeaderFlyweight.TAG_LENGTH);
            }
            datagrams++;
            verifyOne(verifier, length);
            decoders.readRaw(buffer.segment(), length);
        }
        long counted = 0;
        for (Verdict verdict : Verdict.values()) {
            counted += counters.count(verdict);
        }
        assertEquals(datagrams, counted, "one verdict counted per datagram");
    }

    private void verifyOne(MessageVerifier verifier, int length) {
        long[] before = windows(verifier);
        long allocationMark = allocation.mark();
        Verdict verdict = verifier.verify(buffer, length);
        allocation.check(allocationMark, "verify");
        assertNotNull(verdict);
        if (verdict != Verdict.ACCEPTED) {
            assertNull(verifier.type(), "no type after a rejection");
            assertEquals(-1, verifier.senderIndex());
            assertTrue(java.util.Arrays.equals(before, windows(verifier)), "a rejected datagram changed a replay window");
            return;
        }
        MessageType type = verifier.type();
        assertNotNull(type);
        PeerHeaderFlyweight accepted = verifier.header();
        assertEquals(length, accepted.length());
        assertEquals(PEERS[verifier.senderIndex()], accepted.senderRouterId());
        assertEquals(ROUTER_B, accepted.destinationRouterId(), "accepted for another router");
        assertTrue(authenticators[verifier.senderIndex()].verify(buffer.bytes(), 0, accepted.tagOffset()),
                "accepted without a valid tag under its sender's pair key");
        assertTrue(decoders.read(type, buffer.segment(), accepted.payloadOffset(), accepted.payloadLength()),
                "accepted " + type + " whose payload does not decode");
    }

    private static long[] windows(MessageVerifier verifier) {
        long[] state = new long[PEERS.length * 3];
        for (int i = 0; i < PEERS.length; i++) {
            ReplayWindow window = verifier.window(PEERS[i]);
            state[3 * i] = window.seenAny() ? 1 : 0;
            state[3 * i + 1] = window.incarnation();
            state[3 * i + 2] = window.highestSequence();
        }
        return state;
    }


    /** Every payload flyweight, read field by field and record by record once {@code valid()} says so. */
    static final class Decoders {
        private final KeepAliveFlyweight keepAlive = new KeepAliveFlyweight();
        private final SyncRequestFlyweight syncRequest = new SyncRequestFlyweight();
        private final SyncBatchFlyweight syncBatch = new SyncBatchFlyweight();
        private final SyncEndFlyweight syncEnd = new SyncEndFlyweight();
        private final UpdateBatchFlyweight updateBatch = new UpdateBatchFlyweight();
        private final AckFlyweight ack = new AckFlyweight();
        private final NackFlyweight nack = new NackFlyweight();
        private final ServiceNoticeFlyweight notice = new ServiceNoticeFlyweight();
        private final ReachabilityReportFlyweight reachability = new ReachabilityReportFlyweight();
        private final ServerSettingsFlyweight settings = new ServerSettingsFlyweight();
        private final ConnectionRecordFlyweight record = new ConnectionRecordFlyweight();
        /** Sink for every value read, so no read is optimized away. */
        long sum;

        /** Wraps every decoder on the raw bytes as a header and, after the header, as each payload type. */
        void readRaw(MemorySegment segment, int length) {
            PeerHeaderFlyweight header = new PeerHeaderFlyweight().wrap(segment, 0, length);
            if (header.valid()) {
                sum += header.magic() + header.version() + header.typeCode() + header.flags() + header.payloadLength()
                        + header.senderRouterId() + header.destinationRouterId() + header.incarnation() + header.sequence()
                        + header.payloadOffset() + header.tagOffset();
            }
            int payloadLength = Math.max(0, length - PeerHeaderFlyweight.MIN_MESSAGE_LENGTH);
            for (MessageType type : MessageType.values()) {
                read(type, segment, PeerHeaderFlyweight.PAYLOAD_OFFSET, payloadLength);
            }
        }

        /** Reads a {@code type} payload; returns its decoder's {@code valid()}. */
        boolean read(MessageType type, MemorySegment segment, long offset, int length) {
            switch (type) {
                case KEEPALIVE -> {
                    if (!keepAlive.wrap(segment, offset, length).valid()) {
                        return false;
                    }
                    sum += keepAlive.echoedIncarnation();
                    for (int i = 0; i < keepAlive.serviceCount(); i++) {
                        sum += keepAlive.serviceId(i) + keepAlive.state(i) + keepAlive.role(i) + keepAlive.syncState(i)
                                + keepAlive.priority(i) + keepAlive.tableSize(i) + keepAlive.tableDigest(i)
                                + keepAlive.configDigest(i);
                    }
                }
                case SYNC_REQUEST -> {
                    if (!syncRequest.wrap(segment, offset, length).valid()) {
                        return false;
                    }
                    sum += syncRequest.serviceId() + syncRequest.sessionId() + syncRequest.reason();
                }
                case SYNC_BATCH -> {
                    if (!syncBatch.wrap(segment, offset, length).valid()) {
                        return false;
                    }
                    sum += syncBatch.serviceId() + syncBatch.sessionId() + syncBatch.batchSequence();
                    for (int i = 0; i < syncBatch.recordCount(); i++) {
                        readRecord(syncBatch.record(i, record));
                    }
                }
                case SYNC_END -> {
                    if (!syncEnd.wrap(segment, offset, length).valid()) {
                        return false;
                    }
                    sum += syncEnd.serviceId() + syncEnd.sessionId() + syncEnd.lastBatchSequence() + syncEnd.entryCount()
                            + syncEnd.tableDigest() + syncEnd.configDigest();
                }
                case UPDATE_BATCH -> {
                    if (!updateBatch.wrap(segment, offset, length).valid()) {
                        return false;
                    }
                    sum += updateBatch.serviceId() + updateBatch.firstUpdateSequence();
                    for (int i = 0; i < updateBatch.recordCount(); i++) {
                        sum += updateBatch.kind(i);
                        readRecord(updateBatch.connection(i, record));
                    }
                }
                case ACK -> {
                    if (!ack.wrap(segment, offset, length).valid()) {
                        return false;
                    }
                    sum += ack.serviceId() + ack.stream() + ack.acknowledgedSequence();
                }
                case NACK -> {
                    if (!nack.wrap(segment, offset, length).valid()) {
                        return false;
                    }
                    sum += nack.serviceId() + nack.stream() + nack.firstMissingSequence() + nack.lastMissingSequence();
                }
                case SWITCHOVER_QUERY, SWITCHOVER_ACCEPT, GAVE_UP, TAKEOVER_REQUEST, SWITCHOVER_DECLINE -> {
                    if (!notice.wrap(segment, offset, length).valid()) {
                        return false;
                    }
                    sum += notice.serviceId() + notice.reason();
                }
                case REACHABILITY_REPORT -> {
                    if (!reachability.wrap(segment, offset, length).valid()) {
                        return false;
                    }
                    sum += reachability.generation() + reachability.elementCount() + reachability.firstIndex();
                    for (int i = 0; i < reachability.recordCount(); i++) {
                        int nameLength = reachability.nameLength(i);
                        assertTrue(nameLength >= 1 && nameLength <= ReachabilityReportFlyweight.NAME_LENGTH);
                        assertTrue(reachability.firstIndex() + i < ReachabilityReportFlyweight.MAX_ELEMENTS);
                        sum += nameLength + reachability.nameByte(i, 0) + reachability.weight(i) + reachability.health(i)
                                + (reachability.required(i) ? 1 : 0);
                    }
                }
                case SERVER_SETTINGS -> {
                    if (!settings.wrap(segment, offset, length).valid()) {
                        return false;
                    }
                    for (int i = 0; i < settings.recordCount(); i++) {
                        int serviceLength = settings.serviceLength(i);
                        assertTrue(serviceLength >= 1 && serviceLength <= ServerSettingsFlyweight.SERVICE_LENGTH);
                        assertTrue(settings.version(i) > 0 && settings.origin(i) > 0 && settings.incarnation(i) != 0);
                        int weight = settings.weight(i);
                        assertTrue(weight <= ServerSettingsFlyweight.MAX_WEIGHT || weight == ServerSettingsFlyweight.CONFIGURED_WEIGHT);
                        sum += serviceLength + settings.serviceByte(i, 0) + settings.address(i) + settings.version(i)
                                + settings.origin(i) + settings.incarnation(i) + weight + (settings.drained(i) ? 1 : 0);
                    }
                }
            }
            if (length >= 4) {
                sum += MessageType.leadingServiceId(segment, offset);
            }
            return true;
        }

        private void readRecord(ConnectionRecordFlyweight r) {
            sum += r.protocol() + r.state() + r.clientPort() + r.clientAddress() + r.vip() + r.vipPort() + r.serverId()
                    + r.serviceId() + r.ageMs();
        }
    }
}
