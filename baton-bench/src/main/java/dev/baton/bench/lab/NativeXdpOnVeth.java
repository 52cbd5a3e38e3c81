package dev.baton.bench.lab;

import dev.baton.lab.Lab;
import dev.baton.lab.LabInterface;
import dev.baton.lab.RouterHost;
import dev.baton.lab.Tool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What native XDP on a veth needs of the lab, done by the benchmark and not by the router (docs/operations.md, "XDP on
 * a veth"; measured on kernel 6.18): a veth delivers the frames an XDP program sends out (XDP_TX, or a redirect into
 * another veth) only to a peer that has an XDP program of its own, and drops them otherwise. So while the {@code xdp}
 * contestant runs, the bridge-side peer of each router interface runs a program that passes every frame
 * ({@link #PASS_PROGRAM_SOURCE}), compiled at run time with Debian's clang and attached with iproute2; the other
 * contestants run without it. A NIC needs none of this.
 *
 * <p>Attached through netlink, the programs stay until {@link #close()} removes them, or until the lab's namespaces go
 * (the lab removes them on failure and interrupt too), taking the veths with them.
 */
final class NativeXdpOnVeth implements AutoCloseable {

    /** An XDP program that passes every frame up unchanged: it only gives its veth the NAPI context XDP frames need. */
    static final String PASS_PROGRAM_SOURCE = """
            /* Baton lab benchmark: XDP_PASS for every frame. A veth delivers the frames a peer's XDP program sends out
             * only if it runs an XDP program itself; this one gives the bridge-side peers of the router's veths one. */
            #include <linux/bpf.h>

            __attribute__((section("xdp"), used))
            int baton_bench_pass(struct xdp_md *ctx)
            {
                return XDP_PASS;
            }

            char _license[] __attribute__((section("license"), used)) = "GPL";
            """;
    /** The ELF section iproute2 loads. */
    static final String SECTION = "xdp";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final String switchNamespace;
    private final List<String> ports;
    private boolean closed;

    private NativeXdpOnVeth(String switchNamespace, List<String> ports) {
        this.switchNamespace = switchNamespace;
        this.ports = ports;
    }

    /**
     * Writes {@link #PASS_PROGRAM_SOURCE} to {@code directory} and compiles it with
     * {@code clang -O2 -target bpf -I/usr/include/<machine>-linux-gnu} (the asm/ headers live under the multiarch
     * directory, which clang's bpf target does not search by itself; as baton-xdp's build does).
     *
     * @return the object file
     */
    static Path compilePassProgram(Path directory) {
        Path source = directory.resolve("xdp-pass.c");
        Path object = directory.resolve("xdp-pass.o");
        try {
            Files.writeString(source, PASS_PROGRAM_SOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + source, e);
        }
        String machine = LocalCommand.runChecked(COMMAND_TIMEOUT, "uname", "-m").strip();
        LocalCommand.runChecked(COMMAND_TIMEOUT, compileCommand(machine, source, object).toArray(String[]::new));
        return object;
    }

    static List<String> compileCommand(String machine, Path source, Path object) {
        if (!machine.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("unexpected machine name from uname -m: '" + machine + "'");
        }
        return List.of("clang", "-O2", "-Wall", "-target", "bpf", "-I/usr/include/" + machine + "-linux-gnu",
                "-c", source.toString(), "-o", object.toString());
    }

    /**
     * Attaches {@code passProgram} in native mode to the bridge-side peer of each of {@code router}'s interfaces and
     * checks that iproute2 lists it there.
     */
    static NativeXdpOnVeth attachToPeers(Lab lab, RouterHost router, Path passProgram) {
        NativeXdpOnVeth peers = new NativeXdpOnVeth(lab.switchNamespace(), new ArrayList<>());
        try {
            for (LabInterface anInterface : router.interfaces()) {
                String port = anInterface.bridgePort();
                if (peers.ports.contains(port)) {
                    continue;
                }
                peers.ip("link", "set", "dev", port, "xdpdrv", "obj", passProgram.toString(), "sec", SECTION);
                peers.ports.add(port);
                String listing = peers.ip("link", "show", "dev", port);
                if (!listing.contains("prog/xdp")) {
                    throw new IllegalStateException("no XDP program listed on " + port + " after attaching it:\n" + listing);
                }
            }
        } catch (RuntimeException e) {
            try {
                peers.close();
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
        return peers;
    }

    /** The ports that run the pass program, e.g. "bt3fa2r0fp, bt3fa2r0bp". */
    String describe() {
        return String.join(", ", ports) + " in " + switchNamespace;
    }

    private String ip(String... arguments) {
        List<String> command = new ArrayList<>(List.of(Tool.IP.require(), "-n", switchNamespace));
        command.addAll(List.of(arguments));
        return LocalCommand.runChecked(COMMAND_TIMEOUT, command.toArray(String[]::new));
    }

    /** Detaches the programs; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> failures = new ArrayList<>();
        for (String port : ports) {
            try {
                ip("link", "set", "dev", port, "xdpdrv", "off");
            } catch (RuntimeException e) {
                failures.add(e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("could not detach the pass programs in " + switchNamespace + ": " + failures);
        }
    }
}
