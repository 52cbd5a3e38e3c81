package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessTicksTest {

    @Test
    void utimeAndStimeAreFields14And15() {
        String line = "28663 (cat) R 28659 28659 17382 0 -1 4194304 105 0 0 0 31 7 0 0 20 0 1 0 232385 3133440 418";
        assertEquals(new ProcessTicks(31, 7), ProcessTicks.parse(line));
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        String line = "4242 (baton (worker) 1) S 1 4242 4242 0 -1 4194560 9000 0 0 0 1234 5678 0 0 20 0 30 0 100 1 1";
        assertEquals(new ProcessTicks(1234, 5678), ProcessTicks.parse(line));
    }

    @Test
    void differenceAndTotal() {
        ProcessTicks delta = new ProcessTicks(150, 400).minus(new ProcessTicks(100, 100));
        assertEquals(new ProcessTicks(50, 300), delta);
        assertEquals(350, delta.totalTicks());
    }

    @Test
    void aTruncatedLineIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> ProcessTicks.parse("1 (init) S 0 1 1"));
        assertThrows(IllegalArgumentException.class, () -> ProcessTicks.parse("no parenthesis here"));
    }

    @Test
    void thisJvmHasUsedSomeCpuTime() {
        ProcessTicks self = ProcessTicks.read(ProcessHandle.current().pid());
        assertTrue(self.totalTicks() >= 0);
    }
}
