package dev.baton.sync;

import dev.baton.peer.MessageType;
import dev.baton.peer.PeerHeaderFlyweight;
import dev.baton.peer.PeerMessageBuffer;
import dev.baton.table.ConnectionListener;
import dev.baton.table.ConnectionTable;
import dev.baton.table.ConnectionTimeouts;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Two routers' synchronization managers joined by a simulated channel: each message is a copy of the
 * payload the side produced; a step advances the stepped clock, delivers what was queued before the step
 * (dropping, duplicating or reordering it as configured, with a fixed seed), then polls both sides.
 */
final class SyncHarness {

    record Message(MessageType type, byte[] payload) {
    }

    static final long START_MS = 10_000_000;

    final Random random;
    long nowMs = START_MS;
    double dropRate;
    boolean reorder;
    boolean duplicate;
    /** Drops every message to the standby while set. */
    boolean standbyUnreachable;
    /** Applied to each message to the standby before delivery; may rewrite its payload. */
    Predicate<Message> tamperToStandby = message -> false;

    final List<Message> toStandby = new ArrayList<>();
    final List<Message> toActive = new ArrayList<>();
    final ConnectionTable activeTable;
    final ConnectionTable standbyTable;
    final SyncSender sender;
    final SyncReceiver receiver;
    final List<String> events = new ArrayList<>();
    long dropped;

    SyncHarness(SyncSettings settings, int capacity, long seed) {
        this(settings, capacity, capacity, seed);
    }

    SyncHarness(SyncSettings settings, int activeCapacity, int standbyCapacity, long seed) {
        this.random = new Random(seed);
        SyncOutput activeOut = (type, buffer, length) -> toStandby.add(copy(type, buffer, length));
        SyncOutput standbyOut = (type, buffer, length) -> toActive.add(copy(type, buffer, length));
        sender = new SyncSender(7, settings, activeOut);
        activeTable = new ConnectionTable(activeCapacity, ConnectionTimeouts.defaults(), sender, seed);
        sender.bind(activeTable);
        // Another hash seed: equal digests must not depend on equal slot layouts.
        standbyTable = new ConnectionTable(standbyCapacity, ConnectionTimeouts.defaults(), ConnectionListener.NONE, ~seed);
        receiver = new SyncReceiver(7, standbyTable, settings, standbyOut, new SyncEvents() {
            @Override
            public void onSynchronized(int serviceId, long nowMs) {
                events.add("synchronized");
            }

            @Override
            public void onResynchronizationNeeded(int serviceId, int reason, long nowMs) {
                events.add("resync:" + reason);
            }

            @Override
            public void onCapacityRefused(int serviceId, long activeEntries, long standbyRoom, long nowMs) {
                events.add("capacity:" + activeEntries + ">" + standbyRoom);
            }
        });
    }

    static Message copy(MessageType type, PeerMessageBuffer buffer, int length) {
        byte[] payload = new byte[length];
        System.arraycopy(buffer.bytes(), PeerHeaderFlyweight.PAYLOAD_OFFSET, payload, 0, length);
        return new Message(type, payload);
    }

    void step(long stepMs) {
        nowMs += stepMs;
        // Both directions are taken before anything is delivered: what a side sends now arrives next step.
        List<Message> forActive = take(toActive);
        List<Message> forStandby = take(toStandby);
        for (Message message : forActive) {
            sender.receive(message.type(), MemorySegment.ofArray(message.payload()), 0, message.payload().length, nowMs);
        }
        for (Message message : forStandby) {
            if (standbyUnreachable) {
                dropped++;
                continue;
            }
            tamperToStandby.test(message);
            receiver.receive(message.type(), MemorySegment.ofArray(message.payload()), 0, message.payload().length, nowMs);
        }
        sender.poll(nowMs);
        receiver.poll(nowMs);
    }

    private List<Message> take(List<Message> queue) {
        List<Message> batch = new ArrayList<>();
        for (Message message : queue) {
            if (random.nextDouble() < dropRate) {
                dropped++;
                continue;
            }
            batch.add(message);
            if (duplicate) {
                batch.add(message);
            }
        }
        queue.clear();
        if (reorder) {
            Collections.shuffle(batch, random);
        }
        return batch;
    }

    /** Steps until both sides are idle and the tables agree, at most {@code maxSteps}; returns the steps taken. */
    int stepUntilConverged(long stepMs, int maxSteps) {
        for (int steps = 1; steps <= maxSteps; steps++) {
            step(stepMs);
            if (converged()) {
                return steps;
            }
        }
        return -1;
    }

    boolean converged() {
        return receiver.synchronizedWithActive() && sender.streaming() && sender.unacknowledgedUpdates() == 0
                && toStandby.isEmpty() && toActive.isEmpty()
                && activeTable.digest() == standbyTable.digest() && activeTable.size() == standbyTable.size();
    }

    long countQueued(List<Message> queue, MessageType type) {
        return queue.stream().filter(message -> message.type() == type).count();
    }
}
