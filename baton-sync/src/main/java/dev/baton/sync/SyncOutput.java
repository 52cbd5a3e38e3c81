package dev.baton.sync;

import dev.baton.peer.MessageType;
import dev.baton.peer.PeerMessageBuffer;

/**
 * Where a {@link SyncSender} or {@link SyncReceiver} puts the messages it produces. The payload is already
 * written at {@link dev.baton.peer.PeerHeaderFlyweight#PAYLOAD_OFFSET} of {@code buffer}; the transport
 * composes the header and tag ({@link dev.baton.peer.MessageComposer}) and sends it over every link, or a
 * test harness copies it. The buffer is reused for the next message as soon as this returns.
 */
@FunctionalInterface
public interface SyncOutput {

    void send(MessageType type, PeerMessageBuffer buffer, int payloadLength);
}
