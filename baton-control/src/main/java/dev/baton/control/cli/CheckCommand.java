package dev.baton.control.cli;

import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code baton check}: validates a configuration without starting anything. */
@Command(name = "check", description = "Validate a configuration file: exit 0 when valid, 2 when not.")
final class CheckCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "the YAML configuration file")
    Path config;

    @Override
    public Integer call() {
        try {
            BatonConfig loaded = ConfigLoader.load(config);
            System.out.printf("%s: valid (%d service(s), %d interface(s))%n", config, loaded.services().size(), loaded.interfaces().size());
            return Baton.EXIT_OK;
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return Baton.EXIT_INVALID;
        }
    }
}
