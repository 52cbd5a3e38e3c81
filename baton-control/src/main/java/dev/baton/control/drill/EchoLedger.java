package dev.baton.control.drill;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * One echo connection's account: the messages sent ({@code <connection>:<sequence>\n}, ASCII), every byte that
 * came back compared, in order, with what was sent, and the stall between echoes ({@link StallMeter}). A byte
 * that differs, or one that arrives when nothing is awaited (the server sent something of its own), is a
 * mismatch: the connection no longer carries what its client sent, whatever TCP says. Every byte received is
 * counted, the ones after a mismatch too.
 *
 * <p>Bounded: no new message while {@value #MAX_OUTSTANDING_BYTES} bytes are awaited, so a stalled connection
 * holds at most that much (and a message of at most {@value #MAX_MESSAGE_BYTES} bytes) however long it stalls.
 * Times are given by the caller. Threads: the load's thread.
 */
public final class EchoLedger {

    /** No new message while this many bytes wait for their echo: a few seconds of messages, far below a socket buffer. */
    public static final int MAX_OUTSTANDING_BYTES = 4096;
    /** The longest message: a connection number of up to 10 digits, ':', a sequence number of up to 19, '\n'. */
    public static final int MAX_MESSAGE_BYTES = 31;

    private final int connection;
    private final ArrayDeque<byte[]> awaited = new ArrayDeque<>();
    /** Bytes of the oldest awaited message already echoed. */
    private int echoedOfHead;
    private int outstandingBytes;
    private long sequence;
    private long messagesSent;
    private long messagesEchoed;
    private long bytesReceived;
    private String mismatch;
    private final StallMeter stall = new StallMeter();

    public EchoLedger(int connection) {
        if (connection < 0) {
            throw new IllegalArgumentException("connection " + connection + " is negative");
        }
        this.connection = connection;
    }

    /** Whether another message may be sent: no mismatch, and fewer than {@value #MAX_OUTSTANDING_BYTES} bytes awaited. */
    public boolean maySend() {
        return mismatch == null && outstandingBytes < MAX_OUTSTANDING_BYTES;
    }

    /** The next message, now awaited: hand all of it to the socket (in order, after what was handed before). */
    public byte[] nextMessage() {
        sequence++;
        byte[] message = (connection + ":" + sequence + "\n").getBytes(StandardCharsets.US_ASCII);
        awaited.addLast(message);
        outstandingBytes += message.length;
        messagesSent++;
        return message;
    }

    /**
     * Bytes read from the connection at {@code nowNs}, from the buffer's position to its limit (all consumed and
     * counted). Each is compared with the next awaited byte; each message completed is an echo for the stall meter.
     *
     * @return false when a byte differed or nothing was awaited for it (the first such is kept: {@link #mismatch()})
     */
    public boolean accept(ByteBuffer data, long nowNs) {
        boolean fine = true;
        while (data.hasRemaining()) {
            byte got = data.get();
            bytesReceived++;
            if (mismatch != null) {
                fine = false;
                continue;
            }
            byte[] head = awaited.peekFirst();
            if (head == null) {
                mismatch = "byte " + describe(got) + " received when no echo was awaited (after " + messagesEchoed
                        + " messages echoed)";
                fine = false;
                continue;
            }
            if (got != head[echoedOfHead]) {
                mismatch = "message " + new String(head, StandardCharsets.US_ASCII).strip() + ": byte " + echoedOfHead
                        + " is " + describe(got) + ", expected " + describe(head[echoedOfHead]);
                fine = false;
                continue;
            }
            echoedOfHead++;
            outstandingBytes--;
            if (echoedOfHead == head.length) {
                awaited.removeFirst();
                echoedOfHead = 0;
                messagesEchoed++;
                stall.onEcho(nowNs);
            }
        }
        return fine;
    }

    private static String describe(byte b) {
        int v = b & 0xFF;
        return v >= 0x20 && v < 0x7F ? "'" + (char) v + "'" : String.format("0x%02x", v);
    }

    /** Messages sent whose echo did not (entirely) arrive. */
    public int messagesAwaited() {
        return awaited.size();
    }

    public int outstandingBytes() {
        return outstandingBytes;
    }

    public long messagesSent() {
        return messagesSent;
    }

    public long messagesEchoed() {
        return messagesEchoed;
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    /** The first mismatch in words, or null when every byte matched. */
    public String mismatch() {
        return mismatch;
    }

    public StallMeter stall() {
        return stall;
    }
}
