package dev.baton.control.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code baton ctl drain|undrain|weight SERVICE SERVER [N]}: parsed into the request the router gets. */
class CtlServerCommandsTest {

    static CtlCommand.OnServer parse(String... args) {
        CommandLine.ParseResult result = Baton.commandLine().parseArgs(args);
        List<CommandLine> parsed = result.asCommandLineList();
        return (CtlCommand.OnServer) parsed.getLast().getCommand();
    }

    @Test
    void eachCommandCarriesTheServiceTheServerAndItsOwnArguments() {
        CtlCommand.OnServer drain = parse("ctl", "drain", "web", "198.51.100.11");
        assertEquals(List.of("drain", "web", "198.51.100.11", Map.of()),
                List.of(drain.command(), drain.service, drain.server, drain.more()));
        CtlCommand.OnServer undrain = parse("ctl", "undrain", "web", "198.51.100.11");
        assertEquals("undrain", undrain.command());
        CtlCommand.OnServer weight = parse("ctl", "weight", "web", "198.51.100.11", "5");
        assertEquals(List.of("weight", Map.of("weight", 5)), List.of(weight.command(), weight.more()));
        assertThrows(CommandLine.ParameterException.class, () -> parse("ctl", "weight", "web", "198.51.100.11"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("ctl", "drain", "web"));
    }
}
