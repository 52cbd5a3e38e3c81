package dev.baton.lab;

import java.util.List;

/**
 * One lab found on this machine, for {@code baton lab status}.
 *
 * @param prefix            the lab's prefix
 * @param owner             whether its owner process still runs
 * @param ownerPid          the owner's PID (0 when detached, -1 when unknown)
 * @param layout            its layout, null when no state file says
 * @param namespaces        its namespaces that exist now
 * @param missingNamespaces namespaces its state file lists that do not exist
 * @param hasStateFile      false for leftovers found only by the naming convention
 */
public record LabStatus(String prefix, Owner owner, long ownerPid, Layout layout, List<String> namespaces,
                        List<String> missingNamespaces, boolean hasStateFile) {

    /** The owner's condition, which decides whether {@link Lab#removeStale()} removes the lab. */
    public enum Owner {
        /** The owner process runs: the lab is in use. */
        ALIVE,
        /** The owner process is gone: {@link Lab#removeStale()} removes the lab. */
        DEAD,
        /** Owned by nobody ({@link Lab#detach()}, {@code baton lab up}): removed only by name or "--all". */
        DETACHED,
        /** Namespaces without a state file: removed by {@link Lab#removeAll()} or {@link Lab#remove(String)}. */
        UNKNOWN
    }

    public LabStatus {
        namespaces = List.copyOf(namespaces);
        missingNamespaces = List.copyOf(missingNamespaces);
    }

    /** One line for {@code baton lab status}: "bt3fa2  two-segments  owner 4242 alive  6 namespaces". */
    public String summary() {
        String ownerText = switch (owner) {
            case ALIVE -> "owner " + ownerPid + " alive";
            case DEAD -> "owner " + ownerPid + " dead (stale)";
            case DETACHED -> "detached";
            case UNKNOWN -> hasStateFile ? "unreadable state file" : "no state file (leftover)";
        };
        return prefix + "  " + (layout == null ? "?" : layout.code()) + "  " + ownerText + "  " + namespaces.size()
                + " namespaces" + (missingNamespaces.isEmpty() ? "" : ", missing " + String.join(" ", missingNamespaces));
    }
}
