package dev.baton.bench.lab;

import dev.baton.lab.Tool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The NAPI poll of a veth moved into a kernel thread pinned to one CPU, for native XDP: the router's client-facing
 * veth onto the router CPU, and, with {@code --server-side generator-cpu}, the bridge-side peer of its server-facing
 * veth onto the generator CPU ({@link ServerSideSteering}).
 *
 * <p>Why: a veth with an XDP program receives through NAPI (drivers/net/veth.c, {@code veth_poll}), and the program
 * runs in that poll. The sender schedules it, so by default it runs in the softirq of the sender's CPU, here the
 * generator's, where RPS cannot reach it (RPS steers skbs after XDP). Its CPU would then be missing from the router
 * CPU's account. Threaded NAPI (Documentation/ABI/testing/sysfs-class-net, {@code threaded}) runs the poll in a
 * kernel thread, {@code napi/<device>-<napi id>}, which taskset(1) pins like any thread.
 *
 * <p>The veth has NAPI only while an XDP program is attached, so this is enabled after the router attached its
 * program, and the thread goes when the router detaches it (each repetition starts a new router, and so a new thread).
 */
final class ThreadedNapi implements AutoCloseable {

    /** A kernel thread's parent: {@code kthreadd}. */
    private static final long KTHREADD_PID = 2;
    /** {@code TASK_COMM_LEN} less the terminating NUL: where an older kernel cut a thread's name. */
    static final int COMM_LENGTH = 15;
    private static final Duration FIND_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Path PROC = Path.of("/proc");

    /** One NAPI thread. */
    record NapiThread(long pid, String name) {
    }

    private final String namespace;
    private final String device;
    private final List<NapiThread> threads;
    private boolean closed;

    private ThreadedNapi(String namespace, String device, List<NapiThread> threads) {
        this.namespace = namespace;
        this.device = device;
        this.threads = List.copyOf(threads);
    }

    /**
     * Switches {@code device}'s NAPI to threaded mode ({@code echo 1 > /sys/class/net/<device>/threaded} inside
     * {@code namespace}, where its sysfs is), finds its threads and pins each to {@code cpu}.
     *
     * @throws IllegalStateException when the kernel refuses (no NAPI: no XDP program attached), no thread appears
     *                               within {@link #FIND_TIMEOUT}, or a thread's affinity does not take
     */
    static ThreadedNapi enable(String namespace, String device, int cpu) {
        writeThreaded(namespace, device, 1);
        ThreadedNapi napi = null;
        try {
            List<NapiThread> threads = List.of();
            long deadlineNs = System.nanoTime() + FIND_TIMEOUT.toNanos();
            while (threads.isEmpty() && System.nanoTime() - deadlineNs < 0) {
                threads = find(device);
                if (threads.isEmpty()) {
                    pause();
                }
            }
            napi = new ThreadedNapi(namespace, device, threads);
            if (threads.isEmpty()) {
                throw new IllegalStateException("no kernel thread napi/" + device + "-* within " + FIND_TIMEOUT.toMillis()
                        + " ms of writing 1 to /sys/class/net/" + device + "/threaded");
            }
            for (NapiThread thread : threads) {
                LocalCommand.runChecked(COMMAND_TIMEOUT, "taskset", "-p", "-c", Integer.toString(cpu), Long.toString(thread.pid()));
                String allowed = allowedCpus(thread.pid());
                if (!allowed.equals(Integer.toString(cpu))) {
                    throw new IllegalStateException(thread.name() + " (pid " + thread.pid() + ") may run on CPUs " + allowed
                            + " after taskset, not only " + cpu);
                }
            }
            return napi;
        } catch (RuntimeException e) {
            try {
                if (napi != null) {
                    napi.close();
                } else {
                    writeThreaded(namespace, device, 0);
                }
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    /**
     * Native XDP's NAPI thread on the router's client-facing veth, pinned to the router CPU: {@code napi}, or null
     * with the {@code problem} a measurement must carry (printed once here).
     */
    record OnRouter(ThreadedNapi napi, String problem) {
        /** Not asked for: no NAPI thread, no problem. */
        static final OnRouter NONE = new OnRouter(null, "");
    }

    /** {@link #enable} on {@code router}'s client interface; a refusal becomes the measurement's note, not an error. */
    static OnRouter onRouter(dev.baton.lab.RouterHost router, int cpu) {
        try {
            return new OnRouter(enable(router.namespace(), router.clientInterface(), cpu), "");
        } catch (RuntimeException e) {
            String problem = "NOT on CPU " + cpu + ": threaded NAPI failed (" + e.getMessage()
                    + "), so the XDP program runs in the sender's softirq and its CPU is missing from the router CPU's";
            System.out.println("NOTE: " + problem);
            return new OnRouter(null, problem);
        }
    }

    List<NapiThread> threads() {
        return threads;
    }

    /** Their CPU time so far, utime + stime in clock ticks (tick-sampled: a rough figure unless they are busy). */
    long ticks() {
        long sum = 0;
        for (NapiThread thread : threads) {
            sum += ProcessTicks.read(thread.pid()).totalTicks();
        }
        return sum;
    }

    /** Where each thread may run and last ran, e.g. "napi/bt3fa2r0f-8193 (pid 1234): may run on CPU 1, last ran on CPU 1". */
    String placement() {
        List<String> parts = new ArrayList<>();
        for (NapiThread thread : threads) {
            String lastCpu;
            try {
                lastCpu = Integer.toString(lastCpu(Files.readString(PROC.resolve(Long.toString(thread.pid())).resolve("stat"))));
            } catch (IOException | RuntimeException e) {
                lastCpu = "? (" + e.getMessage() + ")";
            }
            String allowed;
            try {
                allowed = allowedCpus(thread.pid());
            } catch (RuntimeException e) {
                allowed = "? (" + e.getMessage() + ")";
            }
            parts.add(thread.name() + " (pid " + thread.pid() + "): may run on CPU " + allowed + ", last ran on CPU " + lastCpu);
        }
        return String.join("; ", parts);
    }

    /** Whether every thread may run only on {@code cpu} and last ran there. */
    boolean onlyOn(int cpu) {
        for (NapiThread thread : threads) {
            try {
                if (!allowedCpus(thread.pid()).equals(Integer.toString(cpu))
                        || lastCpu(Files.readString(PROC.resolve(Long.toString(thread.pid())).resolve("stat"))) != cpu) {
                    return false;
                }
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
        return !threads.isEmpty();
    }

    /** Back to NAPI in softirq context ({@code threaded} 0): while the program is still attached, so the write is taken. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writeThreaded(namespace, device, 0);
    }

    private static void writeThreaded(String namespace, String device, int value) {
        if (!device.matches("[0-9A-Za-z_.-]+")) {
            throw new IllegalArgumentException("not a lab interface name: '" + device + "'");
        }
        // sysfs is mounted per network namespace by "ip netns exec", so the write must happen inside it.
        LocalCommand.runChecked(COMMAND_TIMEOUT, Tool.IP.require(), "netns", "exec", namespace,
                "sh", "-c", "echo " + value + " > /sys/class/net/" + device + "/threaded");
    }

    /** The NAPI threads of {@code device}: kernel threads named {@code napi/<device>-<id>}. */
    static List<NapiThread> find(String device) {
        List<NapiThread> threads = new ArrayList<>();
        try (Stream<Path> entries = Files.list(PROC)) {
            for (Path dir : entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                String stat;
                try {
                    stat = Files.readString(dir.resolve("stat"));
                } catch (IOException gone) {
                    continue; // exited between listing and reading
                }
                String name = kernelThreadName(stat);
                if (name != null && isNapiThreadOf(name, device)) {
                    threads.add(new NapiThread(Long.parseLong(dir.getFileName().toString()), name));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + PROC, e);
        }
        return threads;
    }

    /**
     * Whether a kernel thread named {@code name} polls {@code device}: "napi/" + device + "-" + a NAPI id, or that
     * name cut to {@link #COMM_LENGTH} characters (kernels before 5.17 kept no longer thread names).
     */
    static boolean isNapiThreadOf(String name, String device) {
        String prefix = "napi/" + device + "-";
        if (name.startsWith(prefix)) {
            String id = name.substring(prefix.length());
            return id.chars().allMatch(Character::isDigit);
        }
        return name.length() == COMM_LENGTH && prefix.length() >= COMM_LENGTH && prefix.startsWith(name);
    }

    /** The command name of a {@code /proc/<pid>/stat} line when it is a kernel thread's (its parent is kthreadd), else null. */
    static String kernelThreadName(String statLine) {
        int open = statLine.indexOf('(');
        int close = statLine.lastIndexOf(')');
        if (open < 0 || close < open) {
            return null;
        }
        String[] fields = statLine.substring(close + 1).strip().split("\\s+");
        if (fields.length < 2) {
            return null;
        }
        long parent;
        try {
            parent = Long.parseLong(fields[1]);
        } catch (NumberFormatException e) {
            return null;
        }
        return parent == KTHREADD_PID ? statLine.substring(open + 1, close) : null;
    }

    /** Field 39 of a {@code /proc/<pid>/stat} line ({@code processor}, proc(5)): the CPU the task last ran on. */
    static int lastCpu(String statLine) {
        int close = statLine.lastIndexOf(')');
        // After ")": field 3 (state) is index 0, so field 39 is index 36.
        String[] fields = statLine.substring(close + 1).strip().split("\\s+");
        if (close < 0 || fields.length < 37) {
            throw new IllegalArgumentException("/proc/<pid>/stat line too short for field 39: " + statLine);
        }
        return Integer.parseInt(fields[36]);
    }

    /** {@code Cpus_allowed_list} of task {@code pid}, e.g. "1" or "0-1". */
    static String allowedCpus(long pid) {
        Path status = PROC.resolve(Long.toString(pid)).resolve("status");
        try {
            return allowedCpusOf(Files.readString(status));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + status, e);
        }
    }

    static String allowedCpusOf(String statusText) {
        return statusText.lines().filter(line -> line.startsWith("Cpus_allowed_list:"))
                .map(line -> line.substring("Cpus_allowed_list:".length()).strip())
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no Cpus_allowed_list in the status"));
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "threaded NAPI on %s in %s: %s", device, namespace, threads);
    }
}
