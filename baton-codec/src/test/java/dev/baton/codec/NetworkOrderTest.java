package dev.baton.codec;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The network-order layouts: big-endian, their carriers' sizes, readable and writable at any byte. */
class NetworkOrderTest {

    @Test
    void layoutsAreBigEndianByteAlignedAndOfTheirCarriersSize() {
        assertLayout(NetworkOrder.SHORT, short.class, 2);
        assertLayout(NetworkOrder.INT, int.class, 4);
        assertLayout(NetworkOrder.LONG, long.class, 8);
    }

    @Test
    void readsAndWritesTheMostSignificantByteFirstAtAnOddOffset() {
        MemorySegment bytes = MemorySegment.ofArray(HexFormat.of().parseHex("ff123456789abcdef0ff"));
        assertEquals(0x1234, Short.toUnsignedInt(bytes.get(NetworkOrder.SHORT, 1)));
        assertEquals(0x12345678, bytes.get(NetworkOrder.INT, 1));
        assertEquals(0x123456789abcdef0L, bytes.get(NetworkOrder.LONG, 1));

        MemorySegment written = MemorySegment.ofArray(new byte[15]);
        written.set(NetworkOrder.SHORT, 1, (short) 0xabcd);
        written.set(NetworkOrder.INT, 3, 0x01020304);
        written.set(NetworkOrder.LONG, 7, 0x1122334455667788L);
        assertEquals("00abcd010203041122334455667788", HexFormat.of().formatHex(written.toArray(ValueLayout.JAVA_BYTE)));
    }

    private static void assertLayout(ValueLayout layout, Class<?> carrier, long byteSize) {
        assertEquals(ByteOrder.BIG_ENDIAN, layout.order(), layout + " order");
        assertEquals(carrier, layout.carrier(), layout + " carrier");
        assertEquals(byteSize, layout.byteSize(), layout + " size");
        assertEquals(1, layout.byteAlignment(), layout + " alignment: a header field may start at any byte");
    }
}
