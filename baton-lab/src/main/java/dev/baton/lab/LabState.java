package dev.baton.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The state file of one lab, {@code <state directory>/<prefix>.state}: who owns the lab and what it is made of,
 * so that a lab whose owner died (kill -9, a crashed test JVM) is found and removed by {@link Lab#removeStale()}.
 * It is written before anything is created and deleted after everything is removed.
 *
 * <p>Format: UTF-8 text, one {@code key=value} per line, list keys repeated, {@code #} comments:
 * <pre>
 * version=1
 * prefix=bt3fa2
 * ownerPid=4242            (0: detached, owned by nobody, removed only explicitly)
 * ownerStartMs=1732762800123
 * layout=two-segments
 * clients=1
 * routers=1
 * servers=2
 * vip=192.0.2.10
 * offloads=true
 * namespace=bt3fa2-sw
 * process=4300 nginx on s0
 * </pre>
 *
 * @param ownerStartMs start time of the owner process, so that a recycled PID is not taken for the owner
 * @param processes    "pid description" of every process the owner spawned (information; removal ends every
 *                     process found inside the lab's namespaces)
 */
record LabState(String prefix, long ownerPid, long ownerStartMs, Layout layout, int clients, int routers, int servers,
                List<String> vips, boolean offloads, List<String> namespaces, List<String> processes) {

    static final String FILE_SUFFIX = ".state";
    private static final int VERSION = 1;
    /** Tolerance when comparing process start times, which the JDK derives from clock ticks since boot. */
    private static final long START_TIME_TOLERANCE_MS = 2_000;

    LabState {
        vips = List.copyOf(vips);
        namespaces = List.copyOf(namespaces);
        processes = List.copyOf(processes);
    }

    /** The state of a lab planned by this process, owned by it. */
    static LabState ownedByCurrentProcess(LabPlan plan) {
        ProcessHandle self = ProcessHandle.current();
        return new LabState(plan.prefix(), self.pid(), startMs(self), plan.layout(), plan.count(HostRole.CLIENT),
                plan.count(HostRole.ROUTER), plan.count(HostRole.SERVER), plan.vipTexts(), plan.offloads(),
                plan.namespaces(), List.of());
    }

    static Path file(Path stateDirectory, String prefix) {
        return stateDirectory.resolve(prefix + FILE_SUFFIX);
    }

    /** Where the lab keeps generated configuration (nginx, the echo server script) and logs. */
    static Path workDirectory(Path stateDirectory, String prefix) {
        return stateDirectory.resolve(prefix);
    }

    LabState withProcess(long pid, String description) {
        List<String> more = new ArrayList<>(processes);
        more.add(pid + " " + description);
        return new LabState(prefix, ownerPid, ownerStartMs, layout, clients, routers, servers, vips, offloads, namespaces, more);
    }

    LabState detached() {
        return new LabState(prefix, 0, 0, layout, clients, routers, servers, vips, offloads, namespaces, processes);
    }

    boolean isDetached() {
        return ownerPid == 0;
    }

    /** True when the owner process is gone (or its PID now belongs to a process started at another time). */
    boolean isStale() {
        if (isDetached()) {
            return false;
        }
        return ProcessHandle.of(ownerPid)
                .filter(ProcessHandle::isAlive)
                .map(process -> ownerStartMs == 0 || startMs(process) == 0
                        || Math.abs(startMs(process) - ownerStartMs) <= START_TIME_TOLERANCE_MS)
                .map(sameProcess -> !sameProcess)
                .orElse(true);
    }

    /**
     * Writes the file only if no lab has claimed the prefix: the content is written to a temporary file and
     * hard-linked into place, and link(2) fails atomically when the name exists.
     *
     * @return false if the prefix is already taken
     */
    boolean claim(Path stateDirectory) throws IOException {
        Files.createDirectories(stateDirectory);
        Path temporary = writeTemporary(stateDirectory);
        try {
            Files.createLink(file(stateDirectory, prefix), temporary);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Replaces the file atomically (rename(2)). */
    void rewrite(Path stateDirectory) throws IOException {
        Path temporary = writeTemporary(stateDirectory);
        Files.move(temporary, file(stateDirectory, prefix), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Path writeTemporary(Path stateDirectory) throws IOException {
        Path temporary = Files.createTempFile(stateDirectory, "." + prefix + "-", ".tmp");
        Files.writeString(temporary, format(), StandardCharsets.UTF_8);
        return temporary;
    }

    String format() {
        StringBuilder text = new StringBuilder("# Baton lab state, see docs/lab.md\n");
        line(text, "version", VERSION);
        line(text, "prefix", prefix);
        line(text, "ownerPid", ownerPid);
        line(text, "ownerStartMs", ownerStartMs);
        line(text, "layout", layout.code());
        line(text, "clients", clients);
        line(text, "routers", routers);
        line(text, "servers", servers);
        vips.forEach(vip -> line(text, "vip", vip));
        line(text, "offloads", offloads);
        namespaces.forEach(namespace -> line(text, "namespace", namespace));
        processes.forEach(process -> line(text, "process", process));
        return text.toString();
    }

    private static void line(StringBuilder text, String key, Object value) {
        text.append(key).append('=').append(value).append('\n');
    }

    /**
     * Reads a state file.
     *
     * @throws IllegalArgumentException if it is not a complete version-1 state file
     */
    static LabState parse(String text) {
        String prefix = null;
        long ownerPid = -1;
        long ownerStartMs = 0;
        Layout layout = null;
        int clients = -1;
        int routers = -1;
        int servers = -1;
        boolean offloads = true;
        int version = -1;
        List<String> vips = new ArrayList<>();
        List<String> namespaces = new ArrayList<>();
        List<String> processes = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw new IllegalArgumentException("state file line without '=': " + line);
            }
            String key = line.substring(0, equals);
            String value = line.substring(equals + 1);
            switch (key) {
                case "version" -> version = Integer.parseInt(value);
                case "prefix" -> prefix = value;
                case "ownerPid" -> ownerPid = Long.parseLong(value);
                case "ownerStartMs" -> ownerStartMs = Long.parseLong(value);
                case "layout" -> layout = Layout.fromCode(value);
                case "clients" -> clients = Integer.parseInt(value);
                case "routers" -> routers = Integer.parseInt(value);
                case "servers" -> servers = Integer.parseInt(value);
                case "vip" -> vips.add(value);
                case "offloads" -> offloads = Boolean.parseBoolean(value);
                case "namespace" -> namespaces.add(value);
                case "process" -> processes.add(value);
                default -> throw new IllegalArgumentException("unknown state file key '" + key + "'");
            }
        }
        if (version != VERSION || prefix == null || ownerPid < 0 || layout == null || clients < 0 || routers < 0
                || servers < 0) {
            throw new IllegalArgumentException("incomplete lab state file (version " + version + ", prefix " + prefix + ")");
        }
        return new LabState(prefix, ownerPid, ownerStartMs, layout, clients, routers, servers, vips, offloads, namespaces,
                processes);
    }

    static LabState read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Every state file in the directory (none if it does not exist). */
    static List<Path> files(Path stateDirectory) throws IOException {
        if (!Files.isDirectory(stateDirectory)) {
            return List.of();
        }
        try (var stream = Files.list(stateDirectory)) {
            return stream.filter(file -> file.getFileName().toString().endsWith(FILE_SUFFIX)).sorted().toList();
        }
    }

    /** The plan this state was made from (plans are deterministic in these inputs). */
    LabPlan plan() {
        return LabPlan.create(prefix, layout, clients, routers, servers, vips, offloads);
    }

    private static long startMs(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
