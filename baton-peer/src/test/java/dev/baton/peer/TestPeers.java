package dev.baton.peer;

import java.util.Arrays;

/** Shared fixtures: two keys, router ids and builders that write one sample message of each type. */
final class TestPeers {

    static final int ROUTER_A = 0x0A0A0001;
    static final int ROUTER_B = 0x0B0B0002;
    static final int ROUTER_C = 0x0C0C0003;
    /** As {@link IncarnationStore} numbers runs: the 41st start of router A. */
    static final long INCARNATION_A = 41;
    static final int VIP = 0xCB00710A; // 203.0.113.10
    static final int CLIENT = 0xC6336407; // 198.51.100.7

    private TestPeers() {
    }

    static PeerKey key(int seed) {
        byte[] bytes = new byte[32];
        new java.util.Random(seed).nextBytes(bytes);
        return PeerKey.of(bytes);
    }

    /** Router A, whose peers are B and C (three routers, so a message can be relayed to a third). */
    static MessageComposer composerA(PeerKey key) {
        return new MessageComposer(ROUTER_A, INCARNATION_A, key, new int[] {ROUTER_B, ROUTER_C});
    }

    /** A composer for {@code self} whose peers are the other two of A, B and C. */
    static MessageComposer composer(int self, long incarnation, PeerKey key) {
        return new MessageComposer(self, incarnation, key, othersThan(self));
    }

    /** Router B's verifier; its peers are A and C. */
    static MessageVerifier verifierB(PeerKey key) {
        return verifier(ROUTER_B, key);
    }

    /** The verifier of {@code self}, one of A, B and C, whose peers are the other two. */
    static MessageVerifier verifier(int self, PeerKey key) {
        return new MessageVerifier(self, key, othersThan(self), new VerdictCounters());
    }

    static int[] othersThan(int self) {
        return Arrays.stream(new int[] {ROUTER_A, ROUTER_B, ROUTER_C}).filter(id -> id != self).toArray();
    }

    /** {@link #compose(MessageComposer, PeerMessageBuffer, MessageType, int)} to router B. */
    static int compose(MessageComposer composer, PeerMessageBuffer buffer, MessageType type) {
        return compose(composer, buffer, type, ROUTER_B);
    }

    /** Writes a sample payload of {@code type} into {@code buffer} and composes it to {@code destination}; returns the length. */
    static int compose(MessageComposer composer, PeerMessageBuffer buffer, MessageType type, int destination) {
        var segment = buffer.segment();
        long at = PeerHeaderFlyweight.PAYLOAD_OFFSET;
        int payload = switch (type) {
            case KEEPALIVE -> {
                KeepAliveFlyweight keepAlive = new KeepAliveFlyweight().wrap(segment, at, type.payloadLength(2));
                keepAlive.serviceCount(2)
                        .service(0, 101, 350, KeepAliveFlyweight.ROLE_PRIMARY, KeepAliveFlyweight.SYNC_OUT, 200, 0,
                                4_000_000_000L, 0x1122334455667788L, -2L, 5L)
                        .service(1, 102, 340, KeepAliveFlyweight.ROLE_BACKUP, KeepAliveFlyweight.SYNC_IN, 100, KeepAliveFlyweight.FLAG_LINKS_DOWN,
                                7, 0x0102030405060708L, 0x0F0E0D0C0B0A0908L, 0x8000_0000_0000_0001L);
                yield type.payloadLength(2);
            }
            case SYNC_REQUEST -> {
                new SyncRequestFlyweight().wrap(segment, at, type.payloadLength(0))
                        .set(101, 0xCAFE, SyncRequestFlyweight.REASON_GAP, 3_000_000_001L);
                yield type.payloadLength(0);
            }
            case SYNC_BATCH -> {
                int count = type.maxRecords();
                SyncBatchFlyweight batch = new SyncBatchFlyweight().wrap(segment, at, type.payloadLength(count))
                        .set(101, 0xCAFE, 3_000_000_000L, count);
                ConnectionRecordFlyweight record = new ConnectionRecordFlyweight();
                for (int i = 0; i < count; i++) {
                    batch.record(i, record).protocol(6).state(i & 7).clientPort(40_000 + i).clientAddress(CLIENT + i)
                            .vip(VIP).vipPort(443).serverId(i).serviceId(101).ageMs(i * 1_000L);
                }
                yield type.payloadLength(count);
            }
            case SYNC_END -> {
                new SyncEndFlyweight().wrap(segment, at, type.payloadLength(0))
                        .set(101, 0xCAFE, 17, 1_000_000, 0xDEADBEEFCAFEBABEL, 42);
                yield type.payloadLength(0);
            }
            case UPDATE_BATCH -> {
                int count = 3;
                UpdateBatchFlyweight batch = new UpdateBatchFlyweight().wrap(segment, at, type.payloadLength(count))
                        .set(101, count, 1L << 40);
                ConnectionRecordFlyweight record = new ConnectionRecordFlyweight();
                int[] kinds = {UpdateBatchFlyweight.KIND_INSERT, UpdateBatchFlyweight.KIND_STATE, UpdateBatchFlyweight.KIND_REMOVE};
                for (int i = 0; i < count; i++) {
                    batch.kind(i, kinds[i]);
                    batch.connection(i, record).protocol(17).state(i).clientPort(53_000 + i).clientAddress(CLIENT)
                            .vip(VIP).vipPort(53).serverId(9).serviceId(101).ageMs(Long.MAX_VALUE);
                }
                yield type.payloadLength(count);
            }
            case ACK -> {
                new AckFlyweight().wrap(segment, at, type.payloadLength(0)).set(101, AckFlyweight.STREAM_UPDATE, -5L);
                yield type.payloadLength(0);
            }
            case NACK -> {
                new NackFlyweight().wrap(segment, at, type.payloadLength(0)).set(101, AckFlyweight.STREAM_SYNC, 10, 12);
                yield type.payloadLength(0);
            }
            case SWITCHOVER_QUERY, SWITCHOVER_ACCEPT, GAVE_UP, TAKEOVER_REQUEST, SWITCHOVER_DECLINE -> {
                new ServiceNoticeFlyweight().wrap(segment, at, type.payloadLength(0))
                        .set(101 + type.code(), ServiceNoticeFlyweight.REASON_CLIENT_INTERFACE_DOWN);
                yield type.payloadLength(0);
            }
            case REACHABILITY_REPORT -> {
                int count = type.maxRecords();
                ReachabilityReportFlyweight report = new ReachabilityReportFlyweight().wrap(segment, at, type.payloadLength(count))
                        .set(4_000_000_001L, ReachabilityReportFlyweight.MAX_ELEMENTS, 100, count);
                for (int i = 0; i < count; i++) {
                    report.record(i, reachabilityName(i), 1 + i * 20, i % 3 == 0, i % 3);
                }
                yield type.payloadLength(count);
            }
            case SERVER_SETTINGS -> {
                int count = type.maxRecords();
                ServerSettingsFlyweight settings = new ServerSettingsFlyweight().wrap(segment, at, type.payloadLength(count))
                        .count(count);
                for (int i = 0; i < count; i++) {
                    settings.record(i, serviceName(i), 0xC633_640B + i, 4_000_000_000L + i, 0xFFFF_FFFFL - i, -1L - i,
                            i % 2 == 0 ? ServerSettingsFlyweight.CONFIGURED_WEIGHT : i * 30, i % 3 == 0);
                }
                yield type.payloadLength(count);
            }
        };
        return composer.compose(buffer, destination, type, 0, payload);
    }

    /** Element {@code i}'s name in {@link #compose}'s REACHABILITY_REPORT: the longest allowed for i = 0. */
    static byte[] reachabilityName(int i) {
        String name = i == 0 ? "upstream-615.example:a_b" : "server-" + i;
        return name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** Record {@code i}'s service in {@link #compose}'s SERVER_SETTINGS: the longest allowed for i = 0. */
    static byte[] serviceName(int i) {
        String name = i == 0 ? "web-frontend.eu_west-1.example12" : "svc" + i;
        return name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    static byte[] copy(PeerMessageBuffer buffer, int length) {
        return Arrays.copyOf(buffer.bytes(), length);
    }

    static void load(PeerMessageBuffer buffer, byte[] datagram) {
        Arrays.fill(buffer.bytes(), (byte) 0);
        System.arraycopy(datagram, 0, buffer.bytes(), 0, Math.min(datagram.length, buffer.capacity()));
    }
}
