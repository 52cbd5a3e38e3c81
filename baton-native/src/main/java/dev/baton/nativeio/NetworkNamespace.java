package dev.baton.nativeio;

import java.lang.foreign.Arena;
import java.util.concurrent.Callable;

/**
 * Runs code inside a named network namespace ({@code ip netns add NAME}, i.e. {@code /run/netns/NAME}).
 *
 * <p>{@code setns(2)} moves only the calling thread, so {@link #callIn} runs the task on a fresh
 * platform thread that enters the namespace first and ends afterwards; the caller's threads never
 * change namespace. Sockets keep the namespace they were created in for their whole life, so a
 * {@link PacketSocket} (or a Java {@code ServerSocket}) opened by the task keeps working in the lab
 * namespace when used from any thread later. That is how in-process tests and the router open
 * sockets in lab namespaces. Needs CAP_SYS_ADMIN.
 */
public final class NetworkNamespace {
    private NetworkNamespace() {
    }

    /** Where {@code ip netns} keeps its named namespaces. */
    public static final String NETNS_RUN_DIRECTORY = "/run/netns/";

    /**
     * Calls {@code task} on a new platform thread inside namespace {@code netnsName} and returns its
     * result; the task's exception, if any, is rethrown as is.
     *
     * @throws NativeException      when the namespace cannot be opened or entered
     * @throws InterruptedException when interrupted while waiting (the task keeps running)
     */
    public static <T> T callIn(String netnsName, Callable<T> task) throws Exception {
        if (netnsName.isEmpty() || netnsName.contains("/") || netnsName.equals(".") || netnsName.equals("..")) {
            throw new IllegalArgumentException("not a namespace name: " + netnsName);
        }
        String path = NETNS_RUN_DIRECTORY + netnsName;
        Outcome<T> outcome = new Outcome<>();
        Thread thread = Thread.ofPlatform().name("netns-" + netnsName).unstarted(() -> {
            try {
                enter(path);
                outcome.value = task.call();
            } catch (Throwable t) {
                outcome.failure = t;
            }
        });
        thread.start();
        thread.join();
        if (outcome.failure instanceof Exception exception) {
            throw exception;
        }
        if (outcome.failure instanceof Error error) {
            throw error;
        }
        return outcome.value;
    }

    /** Moves the calling thread into the namespace bound at {@code path}. */
    private static void enter(String path) {
        LibC libc = new LibC();
        try (Arena arena = Arena.ofConfined()) {
            int fd = libc.orThrow(libc.open(arena.allocateFrom(path), KernelConstants.O_RDONLY | KernelConstants.O_CLOEXEC),
                    "open(" + path + ")");
            try {
                libc.orThrow(libc.setns(fd, KernelConstants.CLONE_NEWNET), "setns(" + path + ", CLONE_NEWNET)");
            } finally {
                libc.close(fd);
            }
        }
    }

    /** The task's result or failure, published to the caller by {@link Thread#join()}. */
    private static final class Outcome<T> {
        T value;
        Throwable failure;
    }
}
