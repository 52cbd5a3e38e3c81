package dev.baton.bench.lab;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KernelForwardingTest {

    @ParameterizedTest(name = "cpu {0} -> {1}")
    @CsvSource({"0, 1", "1, 2", "3, 8", "4, 10", "31, 80000000"})
    void rpsMaskSelectsExactlyTheRouterCpu(int cpu, String mask) {
        assertEquals(mask, KernelForwarding.rpsMask(cpu));
    }
}
