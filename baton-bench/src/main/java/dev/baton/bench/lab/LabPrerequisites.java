package dev.baton.bench.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the lab benchmarks need of this machine besides the lab itself: Debian's tools, and the two CPUs they use. */
final class LabPrerequisites {

    private static final List<String> TOOL_DIRECTORIES = List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin");

    private LabPrerequisites() {
    }

    /** The first of {@code tools} not in Debian's directories, with {@code installHint}; null when all are there. */
    static String missingTool(List<String> tools, String installHint) {
        for (String tool : tools) {
            if (TOOL_DIRECTORIES.stream().noneMatch(d -> Files.isExecutable(Path.of(d, tool)))) {
                return tool + " not found in " + TOOL_DIRECTORIES + " (" + installHint + ")";
            }
        }
        return null;
    }

    /** Why the router CPU cannot be used (this machine has one CPU only), or null. */
    static String missingRouterCpu() {
        try {
            CpuTicks.read(LabForwardingBenchmark.ROUTER_CPU);
            return null;
        } catch (RuntimeException e) {
            return "CPU " + LabForwardingBenchmark.ROUTER_CPU + " is needed for the router (generator on CPU "
                    + LabForwardingBenchmark.GENERATOR_CPU + "): " + e.getMessage();
        }
    }
}
