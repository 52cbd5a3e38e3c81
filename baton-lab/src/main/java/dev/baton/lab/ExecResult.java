package dev.baton.lab;

import java.util.List;

/**
 * What a command run to completion (or killed at its deadline) left behind.
 *
 * @param exitCode the process's exit status; 128 + signal number when it was killed (137 after a timeout)
 * @param stdout   everything it wrote to standard output, decoded as UTF-8
 * @param stderr   everything it wrote to standard error, decoded as UTF-8
 * @param timedOut true when the deadline passed and the process (and its descendants) were killed
 */
public record ExecResult(int exitCode, String stdout, String stderr, boolean timedOut) {

    /** True when the command finished in time with status 0. */
    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }

    /**
     * Returns this result if the command succeeded.
     *
     * @throws LabException naming the command, its status and its standard error otherwise
     */
    public ExecResult requireSuccess(List<String> command) {
        if (!succeeded()) {
            throw new LabException("'" + String.join(" ", command) + "' "
                    + (timedOut ? "timed out" : "exited with status " + exitCode)
                    + (stderr.isBlank() ? "" : ": " + stderr.strip()));
        }
        return this;
    }
}
