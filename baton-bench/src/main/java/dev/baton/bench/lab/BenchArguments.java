package dev.baton.bench.lab;

import java.util.ArrayList;
import java.util.List;

/**
 * The command-line conventions the lab benchmarks share: the main method's exits, {@code --name value} or
 * {@code --name=value}, and bounded numbers whose errors name the option, the value and the range.
 */
final class BenchArguments {

    /** One option as written: its name without the dashes, and its value. */
    record Option(String name, String value) {
    }

    /** A benchmark's body, given its parsed options. */
    @FunctionalInterface
    interface Body<O> {
        void run(O options) throws Exception;
    }

    private BenchArguments() {
    }

    /**
     * The main method every lab benchmark shares: {@code --help} prints {@code usage}; options that do not
     * parse, or a missing prerequisite (root, a tool), exit 2 with the reason; a failed run exits 1 with its
     * stack trace; a completed run exits 0.
     *
     * @param title               the benchmark's name in messages, e.g. "lab benchmark"
     * @param missingPrerequisite why the benchmark cannot run here, or null
     */
    static <O> void main(String title, String usage, String[] args, java.util.function.Function<String[], O> parse,
                         java.util.function.Supplier<String> missingPrerequisite, Body<O> body) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(usage);
            return;
        }
        O options;
        try {
            options = parse.apply(args);
        } catch (IllegalArgumentException e) {
            System.err.println(title + ": " + e.getMessage());
            System.err.print(usage);
            System.exit(2);
            return;
        }
        String problem = missingPrerequisite.get();
        if (problem != null) {
            System.err.println(title + ": cannot run: " + problem);
            System.exit(2);
            return;
        }
        int status;
        try {
            body.run(options);
            status = 0;
        } catch (Exception e) {
            System.err.println(title + " failed: " + e.getMessage());
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    /**
     * Splits {@code args} into options, in order.
     *
     * @throws IllegalArgumentException for an argument that is not an option, or an option without a value
     */
    static List<Option> options(String... args) {
        List<Option> options = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            int equals = arg.indexOf('=');
            if (equals >= 0) {
                options.add(new Option(arg.substring(2, equals), arg.substring(equals + 1)));
            } else {
                String name = arg.substring(2);
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                options.add(new Option(name, args[++i]));
            }
        }
        return options;
    }

    /** A whole number in {@code min..max}. */
    static long whole(String name, String value, long min, long max) {
        long parsed;
        try {
            parsed = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": '" + value + "' is not a whole number");
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException("--" + name + ": " + parsed + " is outside " + min + ".." + max);
        }
        return parsed;
    }

    /** A number in {@code min..max}. */
    static double decimal(String name, String value, double min, double max) {
        double parsed;
        try {
            parsed = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": '" + value + "' is not a number");
        }
        if (!(parsed >= min && parsed <= max)) {
            throw new IllegalArgumentException("--" + name + ": " + parsed + " is outside " + min + ".." + max);
        }
        return parsed;
    }
}
