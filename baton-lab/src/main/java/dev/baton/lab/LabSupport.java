package dev.baton.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Whether this machine can host labs: Linux, root, iproute2, a writable state directory, a namespace can be made. */
final class LabSupport {

    private LabSupport() {
    }

    /** Why labs cannot run here, or "" if they can. */
    static String probe() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "lab networks need Linux network namespaces; this is " + System.getProperty("os.name");
        }
        long effectiveUid = effectiveUid();
        if (effectiveUid != 0) {
            return "lab networks need root (creating network namespaces needs CAP_SYS_ADMIN); effective uid is "
                    + (effectiveUid < 0 ? "unknown" : effectiveUid);
        }
        if (!Tool.IP.isAvailable()) {
            return Tool.IP.missingMessage();
        }
        try {
            Files.createDirectories(Lab.STATE_DIRECTORY);
        } catch (IOException e) {
            return "cannot create " + Lab.STATE_DIRECTORY + ": " + e.getMessage();
        }
        String probeNamespace = LabPlan.randomPrefix() + "-probe";
        ExecResult added = Commands.run(List.of(Tool.IP.require(), "netns", "add", probeNamespace), Commands.SETUP_TIMEOUT);
        if (!added.succeeded()) {
            return "cannot create a network namespace: " + added.stderr().strip();
        }
        Commands.run(List.of(Tool.IP.require(), "netns", "delete", probeNamespace), Commands.SETUP_TIMEOUT);
        return "";
    }

    /** The effective uid from /proc/self/status ("Uid: real effective saved fs"), -1 if unreadable. */
    private static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
