package dev.baton.control.cli;

import dev.baton.lab.Lab;
import dev.baton.lab.LabStatus;
import dev.baton.lab.Layout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code baton lab}: a lab network of namespaces for people to try Baton in (docs/lab.md). */
@Command(name = "lab", description = "Create, list and remove lab networks of network namespaces (root).",
        subcommands = {LabCommand.Up.class, LabCommand.Status.class, LabCommand.Down.class})
final class LabCommand {

    @Command(name = "up", description = "Create a lab that stays until `baton lab down`.")
    static final class Up implements Callable<Integer> {
        @Option(names = "--layout", defaultValue = "two", description = "two (front and back segments) or one (a single segment)")
        String layout;
        @Option(names = "--clients", defaultValue = "1")
        int clients;
        @Option(names = "--routers", defaultValue = "1")
        int routers;
        @Option(names = "--servers", defaultValue = "2")
        int servers;
        @Option(names = "--vip", defaultValue = "192.0.2.10", description = "VIP held by the servers (repeatable)")
        List<String> vips;
        @Option(names = "--nginx", description = "start nginx on every server")
        boolean nginx;

        @Override
        public Integer call() {
            if (!Lab.isSupported()) {
                System.err.println("baton lab: " + Lab.unsupportedReason());
                return Baton.EXIT_FAILURE;
            }
            Layout chosen = switch (layout) {
                case "two", "two-segments" -> Layout.TWO_SEGMENTS;
                case "one", "one-segment" -> Layout.ONE_SEGMENT;
                default -> null;
            };
            if (chosen == null) {
                System.err.println("baton lab up: --layout must be 'two' or 'one', not '" + layout + "'");
                return Baton.EXIT_INVALID;
            }
            Lab.Builder builder = Lab.builder().layout(chosen).clients(clients).routers(routers).servers(servers);
            vips.forEach(builder::vip);
            Lab lab = builder.build();
            if (nginx) {
                lab.servers().forEach(s -> s.startNginx());
            }
            lab.detach();
            System.out.println(lab.describe());
            System.out.println("lab " + lab.prefix() + " is up; run commands with `ip netns exec <namespace> ...`; remove it with `baton lab down "
                    + lab.prefix() + "`");
            return Baton.EXIT_OK;
        }
    }

    @Command(name = "status", description = "List labs on this machine.")
    static final class Status implements Callable<Integer> {
        @Override
        public Integer call() {
            List<LabStatus> labs = Lab.list();
            if (labs.isEmpty()) {
                System.out.println("no labs");
            }
            for (LabStatus status : labs) {
                System.out.println(status.summary());
            }
            return Baton.EXIT_OK;
        }
    }

    @Command(name = "down", description = "Remove a lab by prefix, or every lab with --all.")
    static final class Down implements Callable<Integer> {
        @Parameters(arity = "0..1", description = "the lab's prefix")
        String prefix;
        @Option(names = "--all", description = "remove every lab (and leftovers) on this machine")
        boolean all;
        @Option(names = "--stale", description = "remove the labs whose owning process has died")
        boolean stale;

        @Override
        public Integer call() {
            if (stale) {
                List<String> removed = Lab.removeStale();
                System.out.println(removed.isEmpty() ? "no stale labs" : "removed " + removed);
                return Baton.EXIT_OK;
            }
            if (all) {
                List<String> removed = Lab.removeAll();
                System.out.println(removed.isEmpty() ? "nothing to remove" : "removed " + removed);
                return Baton.EXIT_OK;
            }
            if (prefix == null) {
                System.err.println("baton lab down: give a lab prefix, --stale or --all");
                return Baton.EXIT_INVALID;
            }
            boolean removed;
            try {
                removed = Lab.remove(prefix);
            } catch (IllegalArgumentException e) {
                System.err.println("baton lab down: " + e.getMessage());
                return Baton.EXIT_INVALID;
            }
            System.out.println(removed ? "removed " + prefix : "no lab " + prefix);
            return removed ? Baton.EXIT_OK : Baton.EXIT_FAILURE;
        }
    }
}
