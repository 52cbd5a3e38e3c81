package dev.baton.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Every counter of one router, under one naming scheme: an id, a name, labels and a type per counter, read as one
 * {@link CounterSnapshot} by {@code baton ctl stats} and {@code baton ctl counters} (and by a metrics exporter).
 *
 * <p>Counters stay where they are counted, in whatever form suits the hot path (a worker's {@code long[]}, a
 * field of the HA agent, a socket's kernel statistics): what registers here is a {@link Group}, the descriptions
 * of a set of counters owned by one thread and a {@link Group.Reader} that copies their values into an array.
 * A snapshot runs each group's reader on its owner thread ({@link Owner}, e.g. {@code Dataplane.query} for a
 * worker's), so nothing a worker or the agent counts needs a lock, an atomic or even an ordered store, and one
 * group's values are consistent with each other. Groups are registered while the router is built; a snapshot
 * costs one question per owner thread.
 */
public final class CounterRegistry {

    /** How a value behaves, as Prometheus and OpenMetrics distinguish them. */
    public enum Type {
        /** Only grows (until the router restarts): packets, drops, messages. */
        COUNTER,
        /** Goes up and down: connections in the table, a state. */
        GAUGE
    }

    /** A name=value pair that tells counters of one name apart (worker, service, reason...). */
    public record Label(String key, String value) {
        public Label {
            Objects.requireNonNull(value, "label value");
            if (!NAME.matcher(key).matches()) {
                throw new IllegalArgumentException("label key '" + key + "' is not [a-z_][a-z0-9_]*");
            }
        }

        /** {@code key="value"}, the value escaped as the Prometheus text format escapes it. */
        @Override
        public String toString() {
            return key + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
        }
    }

    /**
     * One counter: its id (unique in the registry, never reused), name ({@code [a-z_][a-z0-9_]*}, no unit suffix beyond
     * what the name says), type, one line of help, and labels in a fixed order.
     */
    public record Descriptor(int id, String name, Type type, String help, List<Label> labels) {
        /** The label's value, or null. */
        public String label(String key) {
            for (Label label : labels) {
                if (label.key().equals(key)) {
                    return label.value();
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return labels.isEmpty() ? name : name + labels.toString().replace('[', '{').replace(']', '}').replace(", ", ",");
        }
    }

    /** Runs a group's read on the thread that owns its counters, and waits for it. */
    @FunctionalInterface
    public interface Owner {
        long[] run(Supplier<long[]> read);

        /** For counters any thread may read (published with opaque or release stores): read on the caller's. */
        Owner ANY_THREAD = Supplier::get;
    }

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");

    private final List<Group> groups = new ArrayList<>();
    private final List<Descriptor> descriptors = new ArrayList<>();
    /** Every counter's type by name, and every name{labels} registered: the checks in {@link Group#add}. */
    private final java.util.Map<String, Type> types = new java.util.HashMap<>();
    private final java.util.Set<String> registered = new java.util.HashSet<>();
    /** The next counter's id: ids are never reused, even after a group is removed. */
    private int nextId;

    /**
     * A set of counters one thread owns, read together. Describe every counter with {@link #add}, in the order
     * the reader writes their values, then {@link #reader} once.
     */
    public final class Group {

        /** Copies the group's values, in the order they were added, into {@code values} (its length is the count). */
        @FunctionalInterface
        public interface Reader {
            void read(long[] values);
        }

        private final String owner;
        private final Owner ownerThread;
        private final List<Descriptor> members = new ArrayList<>();
        private Reader reader;

        private Group(String owner, Owner ownerThread) {
            this.owner = owner;
            this.ownerThread = ownerThread;
        }

        /** Describes the next counter the reader writes; returns its place in the group. */
        public int add(String name, Type type, String help, Label... labels) {
            if (reader != null) {
                throw new IllegalStateException("group " + owner + " is complete: its reader is set");
            }
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("counter name '" + name + "' is not [a-z_][a-z0-9_]*");
            }
            synchronized (CounterRegistry.this) {
                Descriptor d = new Descriptor(nextId++, name, type, help, List.of(labels));
                // Hashed, not a scan of every counter: 64 workers with a hundred services register hundreds of
                // thousands, and a scan per registration would make starting a router quadratic.
                Type known = types.putIfAbsent(name, type);
                if (known != null && known != type) {
                    throw new IllegalArgumentException("counter " + name + " is both a " + known + " and a " + type);
                }
                if (!registered.add(d.toString())) {
                    throw new IllegalArgumentException("counter " + d + " is registered twice");
                }
                descriptors.add(d);
                members.add(d);
                return members.size() - 1;
            }
        }

        /** Completes the group: from now on snapshots read it. */
        public void reader(Reader reader) {
            synchronized (CounterRegistry.this) {
                if (this.reader != null) {
                    throw new IllegalStateException("group " + owner + " already has a reader");
                }
                this.reader = Objects.requireNonNull(reader);
                groups.add(this);
            }
        }

        /**
         * Takes the group out of the registry: snapshots no longer read it, and its counters may be registered again
         * (by the group that replaces it after a reload, whose services and servers differ). Its ids are not reused.
         */
        public void remove() {
            synchronized (CounterRegistry.this) {
                groups.remove(this);
                // A set, not the member list: removeAll asks it once per registered counter, and a router registers
                // hundreds of thousands (64 workers, many services); a list made a reload quadratic.
                descriptors.removeAll(new java.util.HashSet<>(members));
                for (Descriptor d : members) {
                    registered.remove(d.toString());
                }
            }
        }

        /** Counters in this group. */
        public int size() {
            return members.size();
        }
    }

    /**
     * A new group of counters owned by one thread.
     *
     * @param owner       names the owner in errors, e.g. "worker 0"
     * @param ownerThread runs the group's reader where its counters may be read
     */
    public Group group(String owner, Owner ownerThread) {
        return new Group(owner, ownerThread);
    }

    /** Every counter described so far, by id. */
    public synchronized List<Descriptor> descriptors() {
        return List.copyOf(descriptors);
    }

    /**
     * Every counter's value now: each group read on its owner thread. A group whose owner does not answer (a
     * worker stuck for {@link OwnerThread#TIMEOUT_SECONDS}) fails the snapshot with its name.
     */
    public CounterSnapshot snapshot() {
        List<Group> complete;
        synchronized (this) {
            complete = List.copyOf(groups);
        }
        List<CounterSnapshot.Sample> samples = new ArrayList<>();
        for (Group group : complete) {
            int n = group.members.size();
            long[] part = group.ownerThread.run(() -> {
                long[] into = new long[n];
                group.reader.read(into);
                return into;
            });
            for (int i = 0; i < n; i++) {
                samples.add(new CounterSnapshot.Sample(group.members.get(i), part[i]));
            }
        }
        return new CounterSnapshot(samples);
    }
}
