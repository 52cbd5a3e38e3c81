package dev.baton.nativeio;

/**
 * The calling thread's scheduling weight: its nice value, set through {@code setpriority(2)}.
 *
 * <p>Why Baton needs it: the HA agent must run at least once every t2 (the standby timeout, tens of
 * milliseconds) or the standby takes the VIPs over. On a small machine a JVM starting beside it (its own JIT
 * and GC threads at start, another router, the clients of a lab) starved the agent thread for 75 to 140 ms
 * at nice 0 in the failover lab. keepalived has the same need and the same cure ({@code vrrp_priority}):
 * a negative nice value makes the kernel's fair scheduler run the thread promptly when it wakes, while it
 * still cannot take a core from the kernel itself, as a real-time policy could.
 */
public final class ThreadScheduling {

    /** The HA agent's nice value: weight 9,548 against 1,024 for a thread at nice 0 (sched_prio_to_weight). */
    public static final int AGENT_NICE = -10;

    private ThreadScheduling() {
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
