package dev.baton.control.cli;

import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import dev.baton.control.router.RouterDaemon;
import dev.baton.nativeio.PacketSocket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code baton run}: runs a router until SIGTERM or SIGINT. */
@Command(name = "run", description = "Run a router with the given configuration until stopped (SIGTERM/SIGINT).")
final class RunCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "the YAML configuration file")
    Path config;

    @Override
    public Integer call() throws Exception {
        BatonConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return Baton.EXIT_INVALID;
        }
        if (!PacketSocket.isAvailable()) {
            System.err.println("baton: cannot open AF_PACKET sockets: " + PacketSocket.unavailabilityCause()
                    + " (run as root or with CAP_NET_RAW and CAP_NET_ADMIN)");
            return Baton.EXIT_FAILURE;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        RouterDaemon daemon;
        try {
            daemon = RouterDaemon.start(loaded);
        } catch (java.io.IOException | RuntimeException e) {
            System.err.println("baton run: " + e.getMessage());
            return Baton.EXIT_FAILURE;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }, "baton-shutdown"));
        stopped.await();
        return Baton.EXIT_OK;
    }
}
