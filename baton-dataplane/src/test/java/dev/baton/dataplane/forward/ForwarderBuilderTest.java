package dev.baton.dataplane.forward;

import dev.baton.config.ServiceConfig.ServerConfig;
import dev.baton.dataplane.io.MemoryPacketPort;
import dev.baton.dataplane.service.ServiceMap;
import dev.baton.dataplane.service.VipOwnership;
import dev.baton.table.ConnectionListener;
import dev.baton.table.TcpState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static dev.baton.dataplane.forward.TestFrames.TCP_SYN;
import static dev.baton.dataplane.forward.TwoPortRouter.CLIENT;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_BACK_IP;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_BACK_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.ROUTER_FRONT_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.S0;
import static dev.baton.dataplane.forward.TwoPortRouter.S0_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.UPSTREAM_MAC;
import static dev.baton.dataplane.forward.TwoPortRouter.VIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** What a {@link ForwarderBuilder} wires into the forwarder it builds. */
class ForwarderBuilderTest {

    private static final long NOW_MS = 1_000_000;
    /** Past the embryonic timeout (30 s): the sweep removes the connection. */
    private static final long AFTER_EXPIRY_MS = NOW_MS + 31_000;
    private static final List<String> ONE_CONNECTION_OPENED_AND_EXPIRED = List.of(
            "insert " + Integer.toHexString(CLIENT) + ":40000 SYN_RECEIVED",
            "remove " + Integer.toHexString(CLIENT) + ":40000 SYN_RECEIVED");

    @ParameterizedTest(name = "extension set first: {0}")
    @ValueSource(booleans = {true, false})
    void anExtensionAndAListenerBothHearEveryConnectionChangeWhicheverIsSetFirst(boolean extensionFirst) {
        RecordingExtension extension = new RecordingExtension();
        RecordingListener listener = new RecordingListener();
        UnaryOperator<ForwarderBuilder> wiring = extensionFirst
                ? b -> b.extension(extension).listener(listener)
                : b -> b.listener(listener).extension(extension);

        openAndExpireOneConnection(wiring);

        assertEquals(ONE_CONNECTION_OPENED_AND_EXPIRED, extension.events, "the extension");
        assertEquals(ONE_CONNECTION_OPENED_AND_EXPIRED, listener.events, "the listener");
        assertNotNull(extension.attachedTo, "the extension is attached once the forwarder is built");
        assertSame(extension.attachedTo, extension.ranFor, "and runs in its duty cycle");
    }

    /** One SYN to the web service, forwarded to its resolved server, then the connection expires. */
    private static void openAndExpireOneConnection(UnaryOperator<ForwarderBuilder> wiring) {
        MemoryPacketPort front = TwoPortRouter.frontPort();
        MemoryPacketPort back = TwoPortRouter.backPort();
        ServiceMap services = ServiceMap.of(List.of(TwoPortRouter.web(new ServerConfig(S0, 1))));
        VipOwnership ownership = new VipOwnership(services.distinctVips(), true);
        try (Forwarder forwarder = wiring.apply(TwoPortRouter.forwarder(services, TwoPortRouter.neighbours(services, 1_000),
                ownership, front, back).capacity(1024)).build()) {
            forwarder.doWork(NOW_MS);
            back.inject(TestFrames.arpReply(S0_MAC, S0, ROUTER_BACK_MAC, ROUTER_BACK_IP));
            forwarder.doWork(NOW_MS);
            front.inject(TestFrames.tcp(ROUTER_FRONT_MAC, UPSTREAM_MAC, CLIENT, 40000, VIP, 80, TCP_SYN, new byte[0]));
            forwarder.doWork(NOW_MS);
            assertEquals(1, back.drainTransmitted().stream().filter(frame -> TestFrames.mac(frame, 0) == S0_MAC).count(),
                    "the SYN reached the server");
            for (int cycle = 0; cycle < 64 && forwarder.table().size() > 0; cycle++) {
                forwarder.doWork(AFTER_EXPIRY_MS); // the sweep is incremental: a bounded slice per duty cycle
            }
            assertEquals(0, forwarder.table().size());
        } finally {
            front.close();
            back.close();
        }
    }

    private static class RecordingListener implements ConnectionListener {

        final List<String> events = new ArrayList<>();

        @Override
        public void onInsert(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                             int serviceId, int serverId, int state, long lastSeenMs) {
            events.add("insert " + Integer.toHexString(clientAddress) + ":" + clientPort + " " + TcpState.name(state));
        }

        @Override
        public void onStateChange(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                                  int serviceId, int serverId, int oldState, int newState, long nowMs) {
            events.add("state " + Integer.toHexString(clientAddress) + ":" + clientPort + " " + TcpState.name(newState));
        }

        @Override
        public void onRemove(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                             int serviceId, int serverId, int state, int reason) {
            events.add("remove " + Integer.toHexString(clientAddress) + ":" + clientPort + " " + TcpState.name(state));
        }
    }

    private static final class RecordingExtension extends RecordingListener implements WorkerExtension {

        Forwarder attachedTo;
        Forwarder ranFor;

        @Override
        public void attach(Forwarder forwarder) {
            attachedTo = forwarder;
        }

        @Override
        public int doWork(long nowMs) {
            ranFor = attachedTo;
            return 0;
        }
    }
}
