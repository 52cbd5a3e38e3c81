package dev.baton.lab;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;

/**
 * Finding and removing labs on this machine, whoever made them: by state file (owner alive, dead or detached)
 * and by the naming convention ({@link LabPlan#NAMESPACE_PATTERN}). Backs {@link Lab#list()},
 * {@link Lab#removeStale()}, {@link Lab#removeAll()}, {@link Lab#remove(String)} and {@link Lab#close()}.
 */
final class LabRemoval {

    private LabRemoval() {
    }

    /** Every lab on this machine: those with a state file, and leftovers found by the naming convention. */
    static List<LabStatus> list() {
        Map<String, List<String>> namespacesByPrefix = labNamespacesByPrefix();
        List<LabStatus> labs = new ArrayList<>();
        for (Path file : stateFiles()) {
            String prefix = prefixOf(file);
            List<String> present = namespacesByPrefix.getOrDefault(prefix, List.of());
            namespacesByPrefix.remove(prefix);
            try {
                LabState state = LabState.read(file);
                LabStatus.Owner owner = state.isDetached() ? LabStatus.Owner.DETACHED
                        : state.isStale() ? LabStatus.Owner.DEAD : LabStatus.Owner.ALIVE;
                List<String> missing = state.namespaces().stream().filter(name -> !present.contains(name)).toList();
                labs.add(new LabStatus(prefix, owner, state.ownerPid(), state.layout(), present, missing, true));
            } catch (IOException | IllegalArgumentException e) {
                labs.add(new LabStatus(prefix, LabStatus.Owner.UNKNOWN, -1, null, present, List.of(), true));
            }
        }
        namespacesByPrefix.forEach((prefix, present) ->
                labs.add(new LabStatus(prefix, LabStatus.Owner.UNKNOWN, -1, null, present, List.of(), false)));
        labs.sort(Comparator.comparing(LabStatus::prefix));
        return labs;
    }

    /**
     * Removes every lab whose owner process is dead (killed with -9, crashed), with every process still running
     * in its namespaces. Labs of live owners and detached labs are left alone. Called by every
     * {@link Lab.Builder#build()}.
     *
     * @return the prefixes of the labs removed
     * @throws LabException if a stale lab could not be fully removed (the others still are)
     */
    static List<String> removeStale() {
        List<String> removed = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Path file : stateFiles()) {
            LabState state;
            try {
                state = LabState.read(file);
            } catch (IOException | IllegalArgumentException e) {
                // being written right now, or damaged: removeAll() or remove(prefix) deal with the latter
                continue;
            }
            if (state.isStale()) {
                try {
                    removeLab(state.prefix(), state.namespaces());
                    removed.add(state.prefix());
                } catch (LabException e) {
                    failures.add(e.getMessage());
                }
            }
        }
        throwIfAny(failures);
        return removed;
    }

    /**
     * Removes every lab on the machine, whoever owns it, by state file and by the naming convention
     * ({@code bt<prefix>-…} namespaces); for {@code baton lab down --all}.
     *
     * @return the prefixes of the labs removed
     */
    static List<String> removeAll() {
        Set<String> prefixes = new TreeSet<>(labNamespacesByPrefix().keySet());
        stateFiles().forEach(file -> prefixes.add(prefixOf(file)));
        List<String> failures = new ArrayList<>();
        for (String prefix : prefixes) {
            try {
                remove(prefix);
            } catch (LabException e) {
                failures.add(e.getMessage());
            }
        }
        throwIfAny(failures);
        return List.copyOf(prefixes);
    }

    /**
     * Removes the lab {@code prefix}, whoever owns it: processes in its namespaces, the namespaces, its work
     * directory and state file; for {@code baton lab down <prefix>}.
     *
     * @return false if there was no such lab
     */
    static boolean remove(String prefix) {
        Set<String> namespaces = new LinkedHashSet<>(labNamespacesByPrefix().getOrDefault(prefix, List.of()));
        Path file = LabState.file(Lab.STATE_DIRECTORY, prefix);
        try {
            namespaces.addAll(LabState.read(file).namespaces());
        } catch (IOException | IllegalArgumentException e) {
            // no (usable) state file: the naming convention found what there is
        }
        boolean existed = !namespaces.isEmpty() || Files.exists(file)
                || Files.exists(LabState.workDirectory(Lab.STATE_DIRECTORY, prefix));
        removeLab(prefix, namespaces);
        return existed;
    }

    /**
     * The one removal path: every namespace of the lab (listed, or found by the naming convention) with its
     * processes, then the work directory, and the state file last, only if everything else went.
     */
    static void removeLab(String prefix, Collection<String> namespaces) {
        Set<String> all = new LinkedHashSet<>(namespaces);
        all.addAll(labNamespacesByPrefix().getOrDefault(prefix, List.of()));
        List<String> failures = new ArrayList<>();
        for (String namespace : all) {
            try {
                Netns.remove(namespace, Commands.STOP_GRACE).ifPresent(failures::add);
            } catch (LabException e) {
                failures.add(e.getMessage());
            }
        }
        try {
            deleteRecursively(LabState.workDirectory(Lab.STATE_DIRECTORY, prefix));
        } catch (IOException e) {
            failures.add("cannot delete " + LabState.workDirectory(Lab.STATE_DIRECTORY, prefix) + ": " + e.getMessage());
        }
        if (failures.isEmpty()) {
            Commands.deleteQuietly(LabState.file(Lab.STATE_DIRECTORY, prefix));
        }
        throwIfAny(failures.stream().map(failure -> "lab " + prefix + ": " + failure).toList());
    }

    private static Map<String, List<String>> labNamespacesByPrefix() {
        Map<String, List<String>> byPrefix = new TreeMap<>();
        for (String namespace : Netns.list()) {
            Matcher matcher = LabPlan.NAMESPACE_PATTERN.matcher(namespace);
            if (matcher.matches()) {
                byPrefix.computeIfAbsent(matcher.group(1), prefix -> new ArrayList<>()).add(namespace);
            }
        }
        return byPrefix;
    }

    private static List<Path> stateFiles() {
        try {
            return LabState.files(Lab.STATE_DIRECTORY);
        } catch (IOException e) {
            throw new LabException("cannot list " + Lab.STATE_DIRECTORY + ": " + e.getMessage(), e);
        }
    }

    private static String prefixOf(Path stateFile) {
        String name = stateFile.getFileName().toString();
        return name.substring(0, name.length() - LabState.FILE_SUFFIX.length());
    }

    /** Deletes a directory tree, tolerating files that vanish meanwhile (two processes removing one stale lab). */
    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
                    throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path visited, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(visited);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void throwIfAny(List<String> failures) {
        if (!failures.isEmpty()) {
            throw new LabException(String.join("; ", failures));
        }
    }

}
