package dev.baton.nativeio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The calling thread's scheduling: a real-time policy ({@code sched_setscheduler(2)}) or, failing that, a
 * nice value ({@code setpriority(2)}). Both act on the calling thread only.
 *
 * <p>Why Baton needs it: the HA agent must run at least once every t2 (the standby timeout, tens of
 * milliseconds) or the standby takes the VIPs over. On the 2-vCPU lab machine, with both CPUs busy (two
 * routers, their clients, a build), a probe sleeping 0.5 ms in a loop at nice -10 measured gaps of up to
 * 240 ms, and one at nice -10 against three busy loops at nice 19 a 93 ms gap; the same probe under
 * {@code SCHED_FIFO} saw none over 30 ms. The fair scheduler weighs nice values only between threads of one
 * control group, and the lab's routers share theirs with the load. keepalived has the same need and the same
 * cure ({@code vrrp_rt_priority}, {@code vrrp_priority}).
 *
 * <p>A real-time thread that never blocks would take a CPU from everything else; the agent parks 0.5 ms
 * whenever a cycle finds no work, and the kernel's real-time throttling
 * ({@code /proc/sys/kernel/sched_rt_runtime_us}, 95 % by default) bounds even a runaway one.
 */
public final class ThreadScheduling {

    /**
     * The HA agent's real-time priority under {@code SCHED_RR}: low among real-time priorities (1 to 99), so
     * kernel threads that must preempt it (migration, watchdogs, at 99) still do.
     */
    public static final int AGENT_REALTIME_PRIORITY = 10;
    /** The HA agent's nice value when no real-time policy is allowed: weight 9,548 against 1,024 at nice 0. */
    public static final int AGENT_NICE = -10;

    private ThreadScheduling() {
    }

    /**
     * Puts the calling thread under {@code SCHED_RR} at {@code priority}; other threads keep theirs.
     *
     * @return 0, or the errno (EPERM without CAP_SYS_NICE, or a zero {@code RLIMIT_RTPRIO})
     */
    public static int realtimeCallingThread(int priority) {
        if (priority < 1 || priority > 99) {
            throw new IllegalArgumentException("real-time priority " + priority + " is outside 1..99");
        }
        LibC libc = new LibC();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment param = arena.allocate(KernelStructs.SchedParam.LAYOUT);
            param.set(ValueLayout.JAVA_INT, KernelStructs.SchedParam.PRIORITY_OFFSET, priority);
            return libc.schedSetscheduler(0, KernelConstants.SCHED_RR, param) == 0 ? 0 : libc.errno();
        }
    }

    /** The calling thread's scheduling policy ({@link KernelConstants#SCHED_OTHER}, {@link KernelConstants#SCHED_RR}, ...). */
    public static int callingThreadPolicy() {
        LibC libc = new LibC();
        return libc.orThrow(libc.schedGetscheduler(0), "sched_getscheduler");
    }

    /**
     * Sets the calling thread's nice value; other threads keep theirs.
     *
     * @return 0, or the errno (EACCES or EPERM without CAP_SYS_NICE): the caller decides whether that matters
     */
    public static int niceCallingThread(int nice) {
        if (nice < -20 || nice > 19) {
            throw new IllegalArgumentException("nice value " + nice + " is outside -20..19");
        }
        LibC libc = new LibC();
        return libc.setpriority(KernelConstants.PRIO_PROCESS, 0, nice) == 0 ? 0 : libc.errno();
    }

    /** The calling thread's nice value as the kernel reports it ({@code /proc/thread-self/stat}, field 19). */
    public static int callingThreadNice() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
            // Field 2, the command, is in parentheses and may hold spaces: count fields after its last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return Integer.parseInt(fields[19 - 3]);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
