package dev.baton.control.systemd;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A JVM of its own for {@link ReloadSignalTest}: SIGHUP handled by {@link ReloadSignal} with a reloader that prints
 * the thread it runs on. Prints {@code ready}, then one line per reload; ends (status 0) when its standard input
 * closes. The test sends SIGHUP to this process only, by its pid.
 */
public final class HangupChild {

    private HangupChild() {
    }

    public static void main(String[] args) throws IOException {
        ReloadSignal reloads = new ReloadSignal(() -> {
            System.out.println("reload on " + Thread.currentThread().getName());
            System.out.flush();
            return Map.of("outcome", "unchanged", "config", "child.yaml", "changes", List.of(), "config_digest", "0");
        }, SystemdNotifier.disabled(), Path.of("child.yaml"), () -> "child").start().handleHangup();
        System.out.println("ready");
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the test closes our input
        }
        reloads.close();
        System.out.println("exiting after " + reloads.runs() + " reloads");
        System.out.flush();
    }
}
