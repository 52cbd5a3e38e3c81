package dev.baton.peer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every message type survives compose, sign, verify and decode with every field intact. */
class MessageRoundTripTest {

    private final PeerKey key = TestPeers.key(7);
    private final PeerMessageBuffer buffer = new PeerMessageBuffer();

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void everyMessageTypeRoundTripsThroughSignAndVerify(MessageType type) {
        MessageComposer composer = TestPeers.composerA(key);
        MessageVerifier verifier = TestPeers.verifierB(key);
        int length = TestPeers.compose(composer, buffer, type);

        assertEquals(Verdict.ACCEPTED, verifier.verify(buffer, length));
        assertSame(type, verifier.type());
        PeerHeaderFlyweight header = verifier.header();
        assertEquals(PeerHeaderFlyweight.MAGIC, header.magic());
        assertEquals(PeerHeaderFlyweight.VERSION, header.version());
        assertEquals(type.code(), header.typeCode());
        assertEquals(TestPeers.ROUTER_A, header.senderRouterId());
        assertEquals(TestPeers.INCARNATION_A, header.incarnation());
        assertEquals(1, header.sequence());
        assertEquals(length, PeerHeaderFlyweight.HEADER_LENGTH + header.payloadLength() + PeerHeaderFlyweight.TAG_LENGTH);
        assertTrue(length <= PeerHeaderFlyweight.MAX_MESSAGE_LENGTH);
        assertPayloadDecodes(type, header);
    }

    private void assertPayloadDecodes(MessageType type, PeerHeaderFlyweight header) {
        var segment = buffer.segment();
        long at = header.payloadOffset();
        int length = header.payloadLength();
        ConnectionRecordFlyweight record = new ConnectionRecordFlyweight();
        switch (type) {
            case KEEPALIVE -> {
                KeepAliveFlyweight keepAlive = new KeepAliveFlyweight().wrap(segment, at, length);
                assertTrue(keepAlive.valid());
                assertEquals(2, keepAlive.serviceCount());
                assertEquals(101, keepAlive.serviceId(0));
                assertEquals(350, keepAlive.state(0));
                assertEquals(KeepAliveFlyweight.ROLE_PRIMARY, keepAlive.role(0));
                assertEquals(KeepAliveFlyweight.SYNC_OUT, keepAlive.syncState(0));
                assertEquals(200, keepAlive.priority(0));
                assertEquals(4_000_000_000L, keepAlive.tableSize(0));
                assertEquals(0x1122334455667788L, keepAlive.tableDigest(0));
                assertEquals(-2L, keepAlive.configDigest(0));
                assertEquals(102, keepAlive.serviceId(1));
                assertEquals(340, keepAlive.state(1));
                assertEquals(KeepAliveFlyweight.ROLE_BACKUP, keepAlive.role(1));
                assertEquals(KeepAliveFlyweight.SYNC_IN, keepAlive.syncState(1));
                assertEquals(100, keepAlive.priority(1));
                assertEquals(7, keepAlive.tableSize(1));
                assertEquals(0x0102030405060708L, keepAlive.tableDigest(1));
                assertEquals(0x0F0E0D0C0B0A0908L, keepAlive.configDigest(1));
            }
            case SYNC_REQUEST -> {
                SyncRequestFlyweight request = new SyncRequestFlyweight().wrap(segment, at, length);
                assertTrue(request.valid());
                assertEquals(101, request.serviceId());
                assertEquals(0xCAFE, request.sessionId());
                assertEquals(SyncRequestFlyweight.REASON_GAP, request.reason());
                assertEquals(3_000_000_001L, request.capacity(), "unsigned 32 bits");
            }
            case SYNC_BATCH -> {
                SyncBatchFlyweight batch = new SyncBatchFlyweight().wrap(segment, at, length);
                assertTrue(batch.valid());
                assertEquals(101, batch.serviceId());
                assertEquals(0xCAFE, batch.sessionId());
                assertEquals(3_000_000_000L, batch.batchSequence());
                assertEquals(58, batch.recordCount(), "a full batch holds 58 records");
                for (int i = 0; i < batch.recordCount(); i++) {
                    batch.record(i, record);
                    assertTrue(record.valid());
                    assertEquals(6, record.protocol());
                    assertEquals(i & 7, record.state());
                    assertEquals(40_000 + i, record.clientPort());
                    assertEquals(TestPeers.CLIENT + i, record.clientAddress());
                    assertEquals(TestPeers.VIP, record.vip());
                    assertEquals(443, record.vipPort());
                    assertEquals(i, record.serverId());
                    assertEquals(101, record.serviceId());
                    assertEquals(i * 1_000L, record.ageMs());
                }
            }
            case SYNC_END -> {
                SyncEndFlyweight end = new SyncEndFlyweight().wrap(segment, at, length);
                assertTrue(end.valid());
                assertEquals(101, end.serviceId());
                assertEquals(0xCAFE, end.sessionId());
                assertEquals(17, end.lastBatchSequence());
                assertEquals(1_000_000, end.entryCount());
                assertEquals(0xDEADBEEFCAFEBABEL, end.tableDigest());
                assertEquals(42, end.configDigest());
            }
            case UPDATE_BATCH -> {
                UpdateBatchFlyweight batch = new UpdateBatchFlyweight().wrap(segment, at, length);
                assertTrue(batch.valid());
                assertEquals(101, batch.serviceId());
                assertEquals(3, batch.recordCount());
                assertEquals(1L << 40, batch.firstUpdateSequence());
                int[] kinds = {UpdateBatchFlyweight.KIND_INSERT, UpdateBatchFlyweight.KIND_STATE, UpdateBatchFlyweight.KIND_REMOVE};
                for (int i = 0; i < 3; i++) {
                    assertEquals(kinds[i], batch.kind(i));
                    batch.connection(i, record);
                    assertEquals(17, record.protocol());
                    assertEquals(i, record.state());
                    assertEquals(53_000 + i, record.clientPort());
                    assertEquals(TestPeers.CLIENT, record.clientAddress());
                    assertEquals(53, record.vipPort());
                    assertEquals(9, record.serverId());
                    assertEquals(0xFFFF_FFFFL, record.ageMs(), "an age beyond 32 bits saturates");
                }
            }
            case ACK -> {
                AckFlyweight ack = new AckFlyweight().wrap(segment, at, length);
                assertTrue(ack.valid());
                assertEquals(101, ack.serviceId());
                assertEquals(AckFlyweight.STREAM_UPDATE, ack.stream());
                assertEquals(-5L, ack.acknowledgedSequence());
            }
            case NACK -> {
                NackFlyweight nack = new NackFlyweight().wrap(segment, at, length);
                assertTrue(nack.valid());
                assertEquals(101, nack.serviceId());
                assertEquals(AckFlyweight.STREAM_SYNC, nack.stream());
                assertEquals(10, nack.firstMissingSequence());
                assertEquals(12, nack.lastMissingSequence());
            }
            case SWITCHOVER_QUERY, SWITCHOVER_ACCEPT, GAVE_UP, TAKEOVER_REQUEST, SWITCHOVER_DECLINE -> {
                ServiceNoticeFlyweight notice = new ServiceNoticeFlyweight().wrap(segment, at, length);
                assertTrue(notice.valid());
                assertEquals(101 + type.code(), notice.serviceId());
                assertEquals(ServiceNoticeFlyweight.REASON_CLIENT_INTERFACE_DOWN, notice.reason());
            }
            case REACHABILITY_REPORT -> {
                ReachabilityReportFlyweight report = new ReachabilityReportFlyweight().wrap(segment, at, length);
                assertTrue(report.valid());
                assertEquals(4_000_000_001L, report.generation(), "unsigned 32 bits");
                assertEquals(ReachabilityReportFlyweight.MAX_ELEMENTS, report.elementCount());
                assertEquals(100, report.firstIndex());
                assertEquals(type.maxRecords(), report.recordCount());
                for (int i = 0; i < report.recordCount(); i++) {
                    byte[] name = TestPeers.reachabilityName(i);
                    assertEquals(name.length, report.nameLength(i));
                    for (int b = 0; b < name.length; b++) {
                        assertEquals(name[b], report.nameByte(i, b));
                    }
                    assertEquals(1 + i * 20, report.weight(i));
                    assertEquals(i % 3 == 0, report.required(i));
                    assertEquals(i % 3, report.health(i));
                }
            }
            case SERVER_SETTINGS -> {
                ServerSettingsFlyweight settings = new ServerSettingsFlyweight().wrap(segment, at, length);
                assertTrue(settings.valid());
                assertEquals(type.maxRecords(), settings.recordCount());
                for (int i = 0; i < settings.recordCount(); i++) {
                    byte[] name = TestPeers.serviceName(i);
                    assertEquals(name.length, settings.serviceLength(i));
                    for (int b = 0; b < name.length; b++) {
                        assertEquals(name[b], settings.serviceByte(i, b));
                    }
                    assertEquals(0xC633_640B + i, settings.address(i));
                    assertEquals(4_000_000_000L + i, settings.version(i), "unsigned 32 bits");
                    assertEquals(0xFFFF_FFFFL - i, settings.origin(i), "unsigned 32 bits");
                    assertEquals(-1L - i, settings.incarnation(i), "64 bits");
                    assertEquals(i % 2 == 0 ? ServerSettingsFlyweight.CONFIGURED_WEIGHT : i * 30, settings.weight(i));
                    assertEquals(i % 3 == 0, settings.drained(i));
                }
            }
        }
    }

    @Test
    void typeCodesAreExplicitUniqueAndStable() {
        int[] expected = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
        MessageType[] inOrder = {MessageType.KEEPALIVE, MessageType.SYNC_REQUEST, MessageType.SYNC_BATCH,
                MessageType.SYNC_END, MessageType.UPDATE_BATCH, MessageType.ACK, MessageType.NACK,
                MessageType.SWITCHOVER_QUERY, MessageType.SWITCHOVER_ACCEPT, MessageType.GAVE_UP,
                MessageType.TAKEOVER_REQUEST, MessageType.SWITCHOVER_DECLINE, MessageType.REACHABILITY_REPORT,
                MessageType.SERVER_SETTINGS};
        Set<Integer> codes = new HashSet<>();
        for (int i = 0; i < inOrder.length; i++) {
            assertEquals(expected[i], inOrder[i].code(), inOrder[i].name());
            assertSame(inOrder[i], MessageType.fromCode(inOrder[i].code()));
            assertTrue(codes.add(inOrder[i].code()));
        }
        assertEquals(null, MessageType.fromCode(0));
        assertEquals(null, MessageType.fromCode(15));
        assertEquals(null, MessageType.fromCode(255));
    }

    @Test
    void batchCapacitiesFillButNeverExceedOneUnfragmentedDatagram() {
        assertEquals(35, MessageType.KEEPALIVE.maxRecords());
        assertEquals(58, MessageType.SYNC_BATCH.maxRecords());
        assertEquals(50, MessageType.UPDATE_BATCH.maxRecords());
        assertEquals(50, MessageType.REACHABILITY_REPORT.maxRecords());
        assertEquals(25, MessageType.SERVER_SETTINGS.maxRecords());
        for (MessageType type : MessageType.values()) {
            assertTrue(type.payloadLength(type.maxRecords()) <= PeerHeaderFlyweight.MAX_PAYLOAD_LENGTH, type.name());
        }
    }

    @Test
    void sequenceNumbersIncreaseByOnePerComposedMessage() {
        MessageComposer composer = TestPeers.composerA(key);
        MessageVerifier verifier = TestPeers.verifierB(key);
        for (long expected = 1; expected <= 5; expected++) {
            int length = TestPeers.compose(composer, buffer, MessageType.KEEPALIVE);
            assertEquals(Verdict.ACCEPTED, verifier.verify(buffer, length));
            assertEquals(expected, verifier.header().sequence());
        }
        assertEquals(6, composer.nextSequence());
    }

    /** The SYNC_REQUEST layout with the standby's capacity, byte by byte (network order). */
    @Test
    void syncRequestLayoutIsPinned() {
        byte[] bytes = new byte[SyncRequestFlyweight.LENGTH];
        new SyncRequestFlyweight().wrap(java.lang.foreign.MemorySegment.ofArray(bytes), 0, bytes.length)
                .set(0x01020304, 0x05060708, 0x090A, 0x0B0C0D0EL);
        assertEquals(16, SyncRequestFlyweight.LENGTH);
        assertEquals(16, MessageType.SYNC_REQUEST.payloadLength(0));
        assertEquals("0102030405060708090a00000b0c0d0e", java.util.HexFormat.of().formatHex(bytes));
        new SyncRequestFlyweight().wrap(java.lang.foreign.MemorySegment.ofArray(bytes), 0, bytes.length).set(1, 2, 3, 1L << 40);
        assertEquals(0xFFFF_FFFFL, new SyncRequestFlyweight().wrap(java.lang.foreign.MemorySegment.ofArray(bytes), 0, bytes.length).capacity(),
                "a capacity beyond 32 bits is clamped, not wrapped");
    }

    /** Header version 2, the Destination Router Id at offset 12, byte by byte (network order). */
    @Test
    void headerLayoutIsPinned() {
        assertEquals(0, PeerHeaderFlyweight.MAGIC_OFFSET);
        assertEquals(2, PeerHeaderFlyweight.VERSION_OFFSET);
        assertEquals(3, PeerHeaderFlyweight.TYPE_OFFSET);
        assertEquals(4, PeerHeaderFlyweight.FLAGS_OFFSET);
        assertEquals(6, PeerHeaderFlyweight.PAYLOAD_LENGTH_OFFSET);
        assertEquals(8, PeerHeaderFlyweight.SENDER_ROUTER_ID_OFFSET);
        assertEquals(12, PeerHeaderFlyweight.DESTINATION_ROUTER_ID_OFFSET);
        assertEquals(16, PeerHeaderFlyweight.INCARNATION_OFFSET);
        assertEquals(24, PeerHeaderFlyweight.SEQUENCE_OFFSET);
        assertEquals(32, PeerHeaderFlyweight.HEADER_LENGTH);
        assertEquals(16, PeerHeaderFlyweight.TAG_LENGTH);
        assertEquals(3, PeerHeaderFlyweight.VERSION);
        byte[] bytes = new byte[PeerHeaderFlyweight.MIN_MESSAGE_LENGTH];
        new PeerHeaderFlyweight().wrap(java.lang.foreign.MemorySegment.ofArray(bytes), 0, bytes.length)
                .magic(PeerHeaderFlyweight.MAGIC).version(PeerHeaderFlyweight.VERSION).typeCode(0x0A).flags(0x0102)
                .payloadLength(0).senderRouterId(0x11121314).destinationRouterId(0x21222324)
                .incarnation(0x3132333435363738L).sequence(0x4142434445464748L);
        assertEquals("ba70030a01020000" + "11121314" + "21222324" + "3132333435363738" + "4142434445464748"
                + "00000000000000000000000000000000", java.util.HexFormat.of().formatHex(bytes));
        PeerMessageBuffer message = new PeerMessageBuffer();
        int length = TestPeers.compose(TestPeers.composerA(key), message, MessageType.GAVE_UP, TestPeers.ROUTER_C);
        PeerHeaderFlyweight header = new PeerHeaderFlyweight().wrap(message.segment(), 0, length);
        assertEquals(TestPeers.ROUTER_A, header.senderRouterId());
        assertEquals(TestPeers.ROUTER_C, header.destinationRouterId(), "the composer writes the destination");
    }

    /** The KEEPALIVE layout with the Echoed Incarnation, byte by byte (network order). */
    @Test
    void keepAliveLayoutIsPinned() {
        assertEquals(0, KeepAliveFlyweight.COUNT_OFFSET);
        assertEquals(4, KeepAliveFlyweight.ECHOED_INCARNATION_OFFSET);
        assertEquals(12, KeepAliveFlyweight.FIXED_LENGTH);
        assertEquals(40, KeepAliveFlyweight.SERVICE_RECORD_LENGTH);
        assertEquals(32, KeepAliveFlyweight.TERM_OFFSET);
        assertEquals(12, MessageType.KEEPALIVE.payloadLength(0));
        assertEquals(12 + 40, MessageType.KEEPALIVE.payloadLength(1));
        byte[] bytes = new byte[MessageType.KEEPALIVE.payloadLength(1)];
        java.util.Arrays.fill(bytes, (byte) 0xEE); // reserved fields are zeroed by the writer
        new KeepAliveFlyweight().wrap(java.lang.foreign.MemorySegment.ofArray(bytes), 0, bytes.length)
                .serviceCount(1).echoedIncarnation(0x0102030405060708L)
                .service(0, 0x11121314, 350, KeepAliveFlyweight.ROLE_BACKUP, KeepAliveFlyweight.SYNC_DONE, 0x2122,
                        KeepAliveFlyweight.FLAG_LINKS_DOWN, 0x31323334L, 0x4142434445464748L, 0x5152535455565758L, 0x6162636465666768L);
        assertEquals("00010000" + "0102030405060708"
                        + "11121314" + "015e" + "02" + "03" + "2122" + "0001" + "31323334" + "4142434445464748" + "5152535455565758"
                        + "6162636465666768",
                java.util.HexFormat.of().formatHex(bytes));
        KeepAliveFlyweight read = new KeepAliveFlyweight().wrap(java.lang.foreign.MemorySegment.ofArray(bytes), 0, bytes.length);
        assertTrue(read.valid());
        assertEquals(0x0102030405060708L, read.echoedIncarnation());
        assertEquals(0x6162636465666768L, read.term(0));
        assertEquals(KeepAliveFlyweight.FLAG_LINKS_DOWN, read.flags(0));
    }
}
