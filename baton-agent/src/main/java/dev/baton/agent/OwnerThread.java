package dev.baton.agent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a question on the thread that owns the state it reads and waits for the answer: how the control
 * socket reads a worker's table ({@link Dataplane#query}) or the HA agent's monitors without a lock. The
 * owner runs submitted commands at the start of its next duty cycle.
 */
public final class OwnerThread {

    /** How long a caller waits for an owner that is alive: a duty cycle takes microseconds to milliseconds. */
    public static final long TIMEOUT_SECONDS = 5;

    private OwnerThread() {
    }

    /**
     * Hands {@code query} to the owner through {@code submit} and waits for its result.
     *
     * @param owner names the owner in error messages, e.g. "worker 0"
     * @throws IllegalStateException when the query fails, the owner does not answer in time, or the wait is
     *                               interrupted
     */
    public static <T> T ask(String owner, Consumer<Runnable> submit, Supplier<T> query) {
        CompletableFuture<T> result = new CompletableFuture<>();
        submit.accept(() -> {
            try {
                result.complete(query.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + owner, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(owner + " failed the query", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(owner + " did not answer within " + TIMEOUT_SECONDS + " s", e);
        }
    }
}
