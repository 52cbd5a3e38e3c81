package dev.baton.dataplane.engine;

import dev.baton.agent.MillisClock;
import dev.baton.agent.ThreadFailure;

import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigLoader;
import dev.baton.dataplane.forward.Forwarder;
import dev.baton.dataplane.forward.WorkerExtension;
import dev.baton.dataplane.io.MemoryPacketPort;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Baton thread that dies takes the process down, through an injected halter (the test's
 * JVM stays up).
 */
class ThreadFailureTest {

    private final List<Integer> halts = new CopyOnWriteArrayList<>();
    private final CountDownLatch halted = new CountDownLatch(1);
    private final ThreadFailure failure = new ThreadFailure(status -> {
        halts.add(status);
        halted.countDown();
    });

    @Test
    void anErrorInAWorkersDutyCycleHaltsTheRouter() throws Exception {
        BatonConfig config = ConfigLoader.load("""
                router: { id: test-1, control-socket: /tmp/unused.sock, workers: 2 }
                interfaces:
                  - { name: front, role: client, address: 192.0.2.2/24 }
                  - { name: back, role: server, address: 198.51.100.2/24 }
                services:
                  - { name: web, vip: 192.0.2.10, ports: [80], servers: [ { address: 198.51.100.11 } ] }
                """, Path.of("failure.yaml"));
        AtomicBoolean fail = new AtomicBoolean();
        AtomicInteger cyclesAfterError = new AtomicInteger();
        Map<String, MemoryPacketPort> ports = new HashMap<>();
        try (Dataplane dataplane = new Dataplane(config, (name, worker, workers) -> ports.computeIfAbsent(name + worker,
                n -> new MemoryPacketPort(n, 0x02_00_00_00_00_01L)), MillisClock.SYSTEM, true, w -> new FailingExtension(w, fail, cyclesAfterError))) {
            dataplane.threadFailure(failure).start();
            Thread.sleep(20);
            assertTrue(halts.isEmpty());
            fail.set(true);
            assertTrue(halted.await(5, TimeUnit.SECONDS), "a worker killed by an Error halts the router");
            assertEquals(ThreadFailure.EXIT_STATUS, halts.getFirst());
            Thread.sleep(20);
            assertEquals(0, cyclesAfterError.get(), "the failed worker's loop ended at the Error");
        }
    }


    /** Throws an Error from worker 1's cycle once {@code fail} is set; counts the cycles that run after it. */
    private static final class FailingExtension implements WorkerExtension {
        private final int worker;
        private final AtomicBoolean fail;
        private final AtomicInteger cyclesAfterError;
        private boolean thrown;

        FailingExtension(int worker, AtomicBoolean fail, AtomicInteger cyclesAfterError) {
            this.worker = worker;
            this.fail = fail;
            this.cyclesAfterError = cyclesAfterError;
        }

        @Override
        public void attach(Forwarder forwarder) {
        }

        @Override
        public int doWork(long nowMs) {
            if (worker == 1 && fail.get()) {
                if (!thrown) {
                    thrown = true;
                    throw new LinkageError("a class failed to load");
                }
                cyclesAfterError.incrementAndGet();
            }
            return 0;
        }

        @Override
        public void onInsert(int protocol, int clientAddress, int clientPort, int vip, int vipPort, int serviceId, int serverId, int state, long nowMs) {
        }

        @Override
        public void onStateChange(int protocol, int clientAddress, int clientPort, int vip, int vipPort, int serviceId, int serverId,
                                  int oldState, int newState, long nowMs) {
        }

        @Override
        public void onRemove(int protocol, int clientAddress, int clientPort, int vip, int vipPort, int serviceId, int serverId, int state, int reason) {
        }
    }
}
