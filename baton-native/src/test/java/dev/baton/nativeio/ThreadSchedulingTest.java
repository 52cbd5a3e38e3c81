package dev.baton.nativeio;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ThreadSchedulingTest {

    /** A thread may always lower its own weight; only that thread changes (Linux: nice is per thread). */
    @Test
    void aThreadsNiceValueIsItsOwn() throws Exception {
        int callerBefore = ThreadScheduling.callingThreadNice();
        int[] seen = runOnFreshThread(() -> new int[] {ThreadScheduling.niceCallingThread(callerBefore + 1),
                ThreadScheduling.callingThreadNice()});
        assertEquals(0, seen[0], "raising one's own nice value needs no privilege");
        assertEquals(callerBefore + 1, seen[1]);
        assertEquals(callerBefore, ThreadScheduling.callingThreadNice(), "the calling thread keeps its value");
    }

    /** The agent's value, below 0: granted with CAP_SYS_NICE (root), refused with an errno otherwise. */
    @Test
    void theAgentsNiceValueNeedsCapSysNice() throws Exception {
        int[] seen = runOnFreshThread(() -> new int[] {ThreadScheduling.niceCallingThread(ThreadScheduling.AGENT_NICE),
                ThreadScheduling.callingThreadNice()});
        if (!"root".equals(System.getProperty("user.name"))) {
            assertEquals(KernelConstants.EACCES, seen[0], "refused, not ignored, without CAP_SYS_NICE");
            Assumptions.abort("granting nice " + ThreadScheduling.AGENT_NICE + " needs root (CAP_SYS_NICE)");
        }
        assertEquals(0, seen[0]);
        assertEquals(ThreadScheduling.AGENT_NICE, seen[1]);
    }

    /** The agent's real-time policy: granted with CAP_SYS_NICE (root) to the calling thread alone, else EPERM. */
    @Test
    void theAgentsRealtimePolicyIsTheCallingThreadsAlone() throws Exception {
        int[] seen = runOnFreshThread(() -> new int[] {ThreadScheduling.realtimeCallingThread(ThreadScheduling.AGENT_REALTIME_PRIORITY),
                ThreadScheduling.callingThreadPolicy()});
        assertEquals(KernelConstants.SCHED_OTHER, ThreadScheduling.callingThreadPolicy(), "the calling thread keeps its policy");
        if (!"root".equals(System.getProperty("user.name"))) {
            assertEquals(KernelConstants.EPERM, seen[0], "refused, not ignored, without CAP_SYS_NICE");
            Assumptions.abort("a real-time policy needs root (CAP_SYS_NICE)");
        }
        assertEquals(0, seen[0]);
        assertEquals(KernelConstants.SCHED_RR, seen[1]);
    }

    @Test
    void aValueOutsideTheKernelsRangeIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> ThreadScheduling.realtimeCallingThread(0));
        assertThrows(IllegalArgumentException.class, () -> ThreadScheduling.realtimeCallingThread(100));
        assertThrows(IllegalArgumentException.class, () -> ThreadScheduling.niceCallingThread(-21));
        assertThrows(IllegalArgumentException.class, () -> ThreadScheduling.niceCallingThread(20));
    }

    private static int[] runOnFreshThread(java.util.function.Supplier<int[]> task) throws Exception {
        CompletableFuture<int[]> result = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                result.complete(task.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }
}
