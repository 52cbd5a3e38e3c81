package dev.baton.control.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManPageTest {

    private static final String PAGE = ManPage.render(Baton.commandLine(), "0.1.0~snapshot", LocalDate.of(2026, 12, 7));

    @Test
    void titleLineCarriesTheVersionAndDate() {
        assertTrue(PAGE.startsWith(".TH BATON 1 \"2026-12-07\" \"baton 0.1.0~snapshot\" \"User Commands\"\n"), PAGE.lines().findFirst().orElse(""));
    }

    @Test
    void everyCommandAndEveryOptionOfThePicocliModelIsOnThePage() {
        List<String> missing = new ArrayList<>();
        walk(Baton.commandLine(), missing);
        assertEquals(List.of(), missing, "documented in the picocli model but not on the page");
    }

    @Test
    void reloadIsOnThePageWithWhatNeedsARestartAndSighupUnderSignals() {
        int reload = PAGE.indexOf(".SS \"baton ctl reload\"\n");
        assertTrue(reload > 0, "baton ctl reload has its section");
        String section = PAGE.substring(reload, PAGE.indexOf(".SS ", reload + 1));
        assertTrue(section.contains("table.per\\-source\\-limit") && section.contains("high\\-availability"), section);
        int signals = PAGE.indexOf(".SH SIGNALS\n");
        assertTrue(signals > 0 && PAGE.indexOf(".TP\n.B SIGHUP\n", signals) > 0, "SIGHUP under SIGNALS");
    }

    private static void walk(CommandLine command, List<String> missing) {
        CommandSpec spec = command.getCommandSpec();
        if (spec.parent() != null && !PAGE.contains(".SS \"" + ManPage.escape(spec.qualifiedName(" ")) + "\"\n")) {
            missing.add(spec.qualifiedName(" "));
        }
        for (OptionSpec option : spec.options()) {
            if (!option.hidden() && !option.inherited() && !PAGE.contains("\\fB" + ManPage.escape(option.longestName()) + "\\fR")) {
                missing.add(spec.qualifiedName(" ") + " " + option.longestName());
            }
        }
        command.getSubcommands().values().stream().distinct().forEach(sub -> walk(sub, missing));
    }

    @Test
    void escapingKeepsTroffControlCharactersOutOfTheText() {
        assertEquals("\\e\\-\\-config", ManPage.escape("\\--config"));
        assertEquals("\\&.hidden", ManPage.escape(".hidden"));
        assertEquals("\\&'quoted", ManPage.escape("'quoted"));
        assertEquals("two lines", ManPage.escape("two\nlines"));
        // Every text line of the page: no line that troff would take as an unknown request.
        for (String line : PAGE.lines().toList()) {
            if (line.startsWith(".") || line.startsWith("'")) {
                assertTrue(line.matches("\\.(TH|SH|SS|TP|PP|B|BR) ?.*|\\.PP"), "unexpected request line: " + line);
            }
        }
    }

    /** groff (Debian's groff-base, which man-db needs) formats the page with every warning on and reports none. */
    @Test
    void groffFormatsThePageWithoutWarnings() throws IOException, InterruptedException {
        Path groff = Path.of("/usr/bin/groff");
        Assumptions.assumeTrue(Files.isExecutable(groff), "groff is not installed (Debian package groff-base)");
        Process process = new ProcessBuilder(groff.toString(), "-man", "-ww", "-Tutf8", "-z").redirectErrorStream(true).start();
        process.getOutputStream().write(PAGE.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "groff did not finish");
        assertEquals(0, process.exitValue(), output);
        assertEquals("", output.strip(), "groff's warnings");
    }
}
