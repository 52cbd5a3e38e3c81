package dev.baton.nativeio;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Compares Java layouts and constants with C headers: a generated C program prints {@code sizeof}/{@code offsetof} of
 * every named member of each layout and the value of each constant, compiled with {@code cc} and run. Layout member
 * names are the C member names and layout names the struct tags, so nothing is listed twice. Shared through
 * baton-native's test-jar (the kernel structs here, libbpf's in baton-xdp).
 */
public final class CHeaderCheck {

    /** One value to compare: a label, the C expression computing it, and the Java value. */
    public record Check(String label, String cExpression, long javaValue) {
    }

    private final List<Check> checks = new ArrayList<>();

    public List<Check> checks() {
        return checks;
    }

    public CHeaderCheck add(String label, String cExpression, long javaValue) {
        checks.add(new Check(label, cExpression, javaValue));
        return this;
    }

    /** Adds {@code sizeof(struct <layout name>)} and every named member's offset and size, nested ones too. */
    public CHeaderCheck struct(StructLayout layout) {
        String cType = "struct " + layout.name().orElseThrow();
        add("sizeof(" + cType + ")", "sizeof(" + cType + ")", layout.byteSize());
        addMembers(cType, layout, "", 0);
        return this;
    }

    /**
     * Adds every named member's offset and size of a layout that covers only the head of the C struct (the kernel
     * fills as many bytes as it is given), without comparing the sizes of the whole.
     */
    public CHeaderCheck structHead(StructLayout layout) {
        addMembers("struct " + layout.name().orElseThrow(), layout, "", 0);
        return this;
    }

    /** Adds a check for every public static final int/long of {@code holder} but {@code skipped}, named cPrefix+field. */
    public CHeaderCheck constants(Class<?> holder, String cPrefix, List<String> skipped) throws IllegalAccessException {
        for (Field field : holder.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            boolean constant = Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers);
            if (!constant || skipped.contains(field.getName())) {
                continue;
            }
            if (field.getType() == int.class || field.getType() == long.class) {
                String cName = cPrefix + field.getName();
                add(cName, cName, ((Number) field.get(null)).longValue());
            }
        }
        return this;
    }

    private void addMembers(String cType, GroupLayout group, String prefix, long baseOffset) {
        long offset = 0;
        for (MemoryLayout member : group.memberLayouts()) {
            if (!(member instanceof PaddingLayout)) {
                String name = member.name().orElseThrow(() -> new AssertionError("unnamed member in " + cType));
                String path = prefix + name;
                long memberOffset = baseOffset + (group instanceof StructLayout ? offset : 0);
                add("offsetof(" + cType + ", " + path + ")", "offsetof(" + cType + ", " + path + ")", memberOffset);
                add("sizeof(" + cType + "." + path + ")", "sizeof(((" + cType + " *) 0)->" + path + ")", member.byteSize());
                if (member instanceof GroupLayout nested) {
                    addMembers(cType, nested, path + ".", memberOffset);
                }
            }
            if (group instanceof StructLayout) {
                offset += member.byteSize();
            }
        }
    }

    /**
     * Compiles the checks against {@code headers} (the {@code #include} lines) in {@code directory}, runs the program
     * and returns every mismatch as "label: Java x, C headers y" (empty when all agree). Skips the calling test when
     * there is no C compiler or the headers are not installed, naming the package to install.
     */
    public List<String> mismatches(Path directory, String headers, String missingHeadersPackages) throws Exception {
        StringBuilder source = new StringBuilder(headers).append("int main(void) {\n");
        for (Check check : checks) {
            source.append("    printf(\"%s=%lld\\n\", \"").append(check.label()).append("\", (long long) (")
                    .append(check.cExpression()).append("));\n");
        }
        source.append("    return 0;\n}\n");
        Path cFile = directory.resolve("layouts.c");
        Path binary = directory.resolve("layouts");
        Files.writeString(cFile, source);

        Process compile;
        try {
            compile = new ProcessBuilder("cc", "-std=gnu11", "-o", binary.toString(), cFile.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "no C compiler: 'cc' is not on PATH (apt install gcc)");
            throw e;
        }
        String compileOutput = finish(compile);
        if (compile.exitValue() != 0) {
            assumeTrue(!compileOutput.contains("No such file or directory"),
                    "headers missing (apt install " + missingHeadersPackages + "): " + compileOutput);
        }
        assertEquals(0, compile.exitValue(), "C cross-check failed to compile:\n" + compileOutput + "\n" + source);

        Process run = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        String output = finish(run);
        assertEquals(0, run.exitValue(), output);
        Map<String, Long> printed = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int equals = line.lastIndexOf('=');
            if (equals > 0) {
                printed.put(line.substring(0, equals), Long.parseLong(line.substring(equals + 1).trim()));
            }
        }
        List<String> mismatches = new ArrayList<>();
        for (Check check : checks) {
            Long cValue = printed.get(check.label());
            if (cValue == null || cValue != check.javaValue()) {
                mismatches.add(check.label() + ": Java " + check.javaValue() + ", C headers " + cValue);
            }
        }
        return mismatches;
    }

    private static String finish(Process process) throws Exception {
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("process did not finish within 60 s");
        }
        return new String(output, StandardCharsets.UTF_8);
    }
}
