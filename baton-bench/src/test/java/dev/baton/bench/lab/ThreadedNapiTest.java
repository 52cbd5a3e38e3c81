package dev.baton.bench.lab;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ThreadedNapiTest {

    @ParameterizedTest(name = "{0} of {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "napi/bt3fa2r0f-8193  | bt3fa2r0f | true",
            "napi/bt3fa2r0f-8193  | bt3fa2r0b | false",
            "napi/bt3fa2r0fp-8194 | bt3fa2r0f | false",
            "napi/eth0-0          | eth0      | true",
            "napi/eth0-x          | eth0      | false",
            "ksoftirqd/1          | bt3fa2r0f | false",
            // a kernel before 5.17 cut kernel threads' names to 15 characters
            "napi/bt3fa2r0f-      | bt3fa2r0f | true",
            "napi/bt3fa2r0b-      | bt3fa2r0f | false",
            "napi/bt3fa2c0c1      | bt3fa2c0c12 | true",
            "napi/eth0-8            | eth0-8   | false",
    })
    void aNapiThreadIsRecognisedByItsDevice(String name, String device, boolean expected) {
        assertEquals(expected, ThreadedNapi.isNapiThreadOf(name, device));
    }

    @Test
    void onlyKernelThreadsAreConsidered() {
        assertEquals("napi/bt3fa2r0f-8193",
                ThreadedNapi.kernelThreadName("4242 (napi/bt3fa2r0f-8193) S 2 0 0 0 -1 2129984 0 0 0 0 0 912 0 0 20 0 1 0 77 0"));
        assertNull(ThreadedNapi.kernelThreadName("4243 (napi/bt3fa2r0f-8193) S 1 4243 4243 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 77"),
                "a user process that named itself so is not the kernel's thread");
        assertEquals("weird) name", ThreadedNapi.kernelThreadName("4244 (weird) name) S 2 0 0 0"));
        assertNull(ThreadedNapi.kernelThreadName("garbage"));
    }

    @Test
    void theLastCpuIsField39() {
        // A real /proc/<pid>/stat line of a kernel thread (kernel 6.18), processor = 1.
        String stat = "4242 (napi/bt3fa2r0f-8193) S 2 0 0 0 -1 2129984 0 0 0 0 0 912 0 0 20 0 1 0 77338 0 0 "
                + "18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0";
        assertEquals(1, ThreadedNapi.lastCpu(stat));
        assertEquals(0, ThreadedNapi.lastCpu(stat.replace(" 17 1 0 0", " 17 0 0 0")));
        assertThrows(IllegalArgumentException.class, () -> ThreadedNapi.lastCpu("4242 (x) S 2 0 0"));
    }

    @Test
    void theAllowedCpusComeFromTheStatus() {
        assertEquals("1", ThreadedNapi.allowedCpusOf("Name:\tnapi/bt3fa2r0f-8193\nCpus_allowed:\t2\nCpus_allowed_list:\t1\n"));
        assertEquals("0-1", ThreadedNapi.allowedCpusOf("Cpus_allowed_list:\t0-1\n"));
        assertThrows(IllegalArgumentException.class, () -> ThreadedNapi.allowedCpusOf("Name:\tx\n"));
    }
}
