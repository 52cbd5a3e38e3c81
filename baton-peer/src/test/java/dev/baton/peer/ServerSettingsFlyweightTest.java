package dev.baton.peer;

import dev.baton.codec.NetworkOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A SERVER_SETTINGS message with one field out of range is invalid as a whole; each row breaks one rule. */
class ServerSettingsFlyweightTest {

    static final int RECORDS = 3;

    /** A valid message: three servers of service "web", the second drained at weight 0. */
    static MemorySegment valid() {
        int length = MessageType.SERVER_SETTINGS.payloadLength(RECORDS);
        MemorySegment segment = MemorySegment.ofArray(new byte[length]);
        ServerSettingsFlyweight settings = new ServerSettingsFlyweight().wrap(segment, 0, length).count(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            settings.record(i, "web".getBytes(StandardCharsets.US_ASCII), 0xC633_640B + i, 7 + i, 2, 3,
                    i == 1 ? 0 : ServerSettingsFlyweight.CONFIGURED_WEIGHT, i == 1);
        }
        return segment;
    }

    static Arguments row(String rule, Consumer<MemorySegment> edit) {
        return Arguments.of(rule, edit);
    }

    static void put8(MemorySegment s, long at, int value) {
        s.set(ValueLayout.JAVA_BYTE, at, (byte) value);
    }

    static long record(int index) {
        return ServerSettingsFlyweight.FIXED_LENGTH + (long) index * ServerSettingsFlyweight.RECORD_LENGTH;
    }

    static Stream<Arguments> breaks() {
        return Stream.of(
                row("count larger than the records present", s -> s.set(NetworkOrder.SHORT, ServerSettingsFlyweight.COUNT_OFFSET, (short) 4)),
                row("count smaller than the records present", s -> s.set(NetworkOrder.SHORT, ServerSettingsFlyweight.COUNT_OFFSET, (short) 2)),
                row("empty service name", s -> put8(s, record(1), 0)),
                row("a service name starting with '-'", s -> put8(s, record(0), '-')),
                row("a byte outside the name set", s -> put8(s, record(2) + 1, ':')),
                row("a byte after the name's NUL", s -> put8(s, record(0) + 31, 'x')),
                row("a control byte", s -> put8(s, record(0) + 2, 0x7F)),
                row("version 0", s -> s.set(NetworkOrder.INT, record(1) + ServerSettingsFlyweight.VERSION_OFFSET, 0)),
                row("origin 0", s -> s.set(NetworkOrder.INT, record(2) + ServerSettingsFlyweight.ORIGIN_OFFSET, 0)),
                row("incarnation 0", s -> s.set(NetworkOrder.LONG, record(0) + ServerSettingsFlyweight.INCARNATION_OFFSET, 0L)),
                row("weight 1001", s -> s.set(NetworkOrder.SHORT, record(1) + ServerSettingsFlyweight.WEIGHT_OFFSET, (short) 1001)),
                row("weight 0xFFFE", s -> s.set(NetworkOrder.SHORT, record(1) + ServerSettingsFlyweight.WEIGHT_OFFSET, (short) 0xFFFE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breaks")
    void oneBrokenFieldMakesTheMessageInvalid(String rule, Consumer<MemorySegment> edit) {
        ServerSettingsFlyweight settings = new ServerSettingsFlyweight();
        MemorySegment segment = valid();
        assertTrue(settings.wrap(segment, 0, (int) segment.byteSize()).valid(), "the unbroken message is valid");
        edit.accept(segment);
        assertFalse(settings.wrap(segment, 0, (int) segment.byteSize()).valid(), rule);
    }

    @Test
    void unknownFlagBitsAndTheReservedBytesAreIgnored() {
        MemorySegment segment = valid();
        put8(segment, record(0) + ServerSettingsFlyweight.FLAGS_OFFSET, 0xFE);
        put8(segment, record(0) + ServerSettingsFlyweight.FLAGS_OFFSET + 1, 0xFF);
        put8(segment, ServerSettingsFlyweight.COUNT_OFFSET + 2, 0xFF);
        ServerSettingsFlyweight settings = new ServerSettingsFlyweight().wrap(segment, 0, (int) segment.byteSize());
        assertTrue(settings.valid());
        assertFalse(settings.drained(0));
        assertTrue(settings.drained(1));
        assertEquals(0, settings.weight(1));
    }

    @Test
    void anEmptyMessageIsValid() {
        MemorySegment segment = MemorySegment.ofArray(new byte[ServerSettingsFlyweight.FIXED_LENGTH]);
        assertTrue(new ServerSettingsFlyweight().wrap(segment, 0, ServerSettingsFlyweight.FIXED_LENGTH).valid());
    }
}
