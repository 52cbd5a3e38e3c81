package dev.baton.lab;

import dev.baton.codec.Ipv4;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A real server behind the VIPs: each VIP on {@code lo} as a /32, ARP for it suppressed ({@code arp_ignore=1},
 * {@code arp_announce=2}), default route via the upstream, so it answers clients directly (direct server return).
 * It can run the real peers the tests talk to: nginx and a TCP echo/stream server.
 */
public final class ServerHost extends Host {

    public static final int HTTP_PORT = 80;
    /** nginx answers HTTPS here with the same page, under a self-signed certificate made for this lab. */
    public static final int HTTPS_PORT = 443;
    /** What the echo/stream server prints once both ports listen. */
    static final String ECHO_READY_LINE = "READY";
    /** Resource holding the echo/stream server (python3 asyncio). */
    static final String ECHO_SERVER_SCRIPT = "echo_server.py";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    /** The routing tables of a multi-homed server's per-address rules ({@link #addSecondInterface}). */
    static final String FIRST_ADDRESS_TABLE = "101";
    static final String SECOND_ADDRESS_TABLE = "102";

    private LabProcess nginx;
    private final Map<Integer, LabProcess> echoServers = new TreeMap<>();

    ServerHost(Lab lab, LabPlan.HostPlan plan, List<LabInterface> interfaces) {
        super(lab, plan, interfaces);
    }

    /** The VIPs configured on this server's {@code lo}. */
    public List<String> vips() {
        return plan.loopbackAddresses().stream().map(Ipv4::format).toList();
    }

    /** The body nginx serves for every path: "server s0 198.51.100.11\n". */
    public String pageBody() {
        return "server " + name() + " " + address() + "\n";
    }

    /**
     * Starts nginx (Debian's) on port {@value #HTTP_PORT} of every address of this server (its own and the VIPs), and
     * HTTPS on {@value #HTTPS_PORT} under a self-signed P-256 certificate for this server's name (made with openssl
     * at the first start, valid two days), answering every request with {@link #pageBody()}; waits until it listens.
     *
     * @throws LabException if nginx is missing, already running here, or fails to start (with its output)
     */
    public synchronized LabProcess startNginx() {
        if (nginx != null && nginx.isAlive()) {
            throw new IllegalStateException("nginx already runs on " + name() + " (pid " + nginx.pid() + ")");
        }
        String nginxBinary = Tool.NGINX.require();
        Path directory = lab.workDirectory().resolve(name() + "-nginx");
        Path pidFile = directory.resolve("nginx.pid");
        Path configFile = directory.resolve("nginx.conf");
        try {
            Files.createDirectories(directory);
            Files.deleteIfExists(pidFile);
            Files.writeString(configFile, nginxConfig(directory, pidFile), StandardCharsets.UTF_8);
            selfSignedCertificate(directory);
        } catch (IOException e) {
            throw new LabException("cannot write nginx configuration in " + directory + ": " + e.getMessage(), e);
        }
        // -e stderr: start-up errors go to the log, not to /var/log/nginx; -p: relative paths stay in our directory.
        LabProcess process = spawn(List.of(nginxBinary, "-p", directory.toString(), "-c", configFile.toString(),
                "-e", "stderr"), directory.resolve("nginx.log"));
        nginx = process;
        awaitFile(process, pidFile); // nginx writes its pid file after it has bound the listening sockets
        return process;
    }

    /** The certificate and key nginx serves HTTPS with, made once per lab in nginx's directory. */
    private void selfSignedCertificate(Path directory) {
        if (Files.exists(directory.resolve("cert.pem")) && Files.exists(directory.resolve("key.pem"))) {
            return;
        }
        ExecResult made = exec(Duration.ofSeconds(30), List.of(Tool.OPENSSL.require(), "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=" + name() + ".lab.example",
                "-keyout", directory.resolve("key.pem").toString(), "-out", directory.resolve("cert.pem").toString()));
        if (!made.succeeded()) {
            throw new LabException("cannot make a certificate for " + name() + "'s nginx: " + made);
        }
    }

    /** Stops nginx if this host runs it. */
    public synchronized void stopNginx() {
        if (nginx != null) {
            nginx.stop();
            nginx = null;
        }
    }

    /**
     * Kills nginx if this host runs it: SIGKILL to its master and workers at once, by PID, so that its listener closes
     * at that moment (a server that dies). {@link #stopNginx()}'s SIGTERM lets nginx close its listener when it likes,
     * up to the stop's grace period.
     */
    public synchronized void killNginx() {
        if (nginx != null) {
            nginx.kill();
            nginx = null;
        }
    }

    /**
     * Makes this server multi-homed on its own segment, as the patent's address substitution (RM 230) needs: a
     * second veth into the bridge of its first interface's segment, named after the first interface plus "2" (its
     * bridge port plus "2p"), holding {@code cidr}. Each address answers on its own interface (a routing rule per
     * source address, tables {@value #FIRST_ADDRESS_TABLE} and {@value #SECOND_ADDRESS_TABLE}), and the replies to
     * clients, which leave from a VIP (neither address), take the second interface: the default route moves there.
     * Taking the first interface's bridge port off its bridge then cuts exactly what reaches the server at its first
     * address. Reverse-path filtering is loose (2; the effective value is the larger of "all" and the interface's,
     * ip-sysctl.rst), since a client's segment may arrive on the first interface while the route back to the client
     * is the second's. The interface goes with the namespace when the lab is removed.
     *
     * @param cidr an unused address of the first interface's subnet with its prefix length, e.g. "198.51.100.31/24"
     * @return the new interface, its MAC as the kernel chose it
     */
    public synchronized LabInterface addSecondInterface(String cidr) {
        lab.requireOpen();
        LabInterface first = primaryInterface();
        String address = cidr.substring(0, cidr.indexOf('/'));
        int prefixLength = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
        if (prefixLength != Segment.PREFIX_LENGTH
                || !Ipv4.inSubnet(Ipv4.parse(address), first.segment().networkAddress(), Segment.PREFIX_LENGTH)
                || address.equals(first.ip())) {
            throw new IllegalArgumentException(cidr + " is not another address of " + first.segment().subnet());
        }
        String name = first.name() + "2";
        String bridgePort = name + LabPlan.BRIDGE_PORT_SUFFIX;
        if (bridgePort.length() > LabPlan.MAX_INTERFACE_NAME_LENGTH) {
            throw new IllegalStateException("interface name " + bridgePort + " is longer than "
                    + LabPlan.MAX_INTERFACE_NAME_LENGTH + " characters");
        }
        String switchNamespace = lab.switchNamespace();
        Netns.ip(switchNamespace, "link", "add", "name", bridgePort, "type", "veth", "peer", "name", name, "netns", namespace());
        Netns.ip(switchNamespace, "link", "set", bridgePort, "master", first.bridge(), "up");
        // Sysctls while the interface is down, as for every lab host: it must never answer ARP for a VIP.
        LabNetwork.sysctl(namespace(), false, List.of("net.ipv4.conf." + name + ".arp_ignore=1",
                "net.ipv4.conf." + name + ".arp_announce=2", "net.ipv4.conf.all.rp_filter=2",
                "net.ipv4.conf." + first.name() + ".rp_filter=2", "net.ipv4.conf." + name + ".rp_filter=2"));
        if (!lab.offloads()) {
            LabNetwork.ethtoolOffloadsOff(namespace(), name);
            LabNetwork.ethtoolOffloadsOff(switchNamespace, bridgePort);
        }
        Netns.ip(namespace(), "address", "add", cidr, "dev", name);
        Netns.ip(namespace(), "link", "set", name, "up");
        String subnet = first.segment().subnet();
        Netns.ip(namespace(), "route", "add", subnet, "dev", first.name(), "src", first.ip(), "table", FIRST_ADDRESS_TABLE);
        Netns.ip(namespace(), "rule", "add", "from", first.ip(), "table", FIRST_ADDRESS_TABLE);
        Netns.ip(namespace(), "route", "add", subnet, "dev", name, "src", address, "table", SECOND_ADDRESS_TABLE);
        Netns.ip(namespace(), "rule", "add", "from", address, "table", SECOND_ADDRESS_TABLE);
        Netns.ip(namespace(), "route", "replace", "default", "via", gateway().orElseThrow(), "dev", name);
        String mac = LabNetwork.parseBriefLinks(Netns.ip(namespace(), "-br", "link", "show", "dev", name).stdout()).get(name);
        return new LabInterface(name, first.segment(), cidr, mac, first.bridge(), bridgePort);
    }

    /**
     * Starts the TCP echo server on {@code echoPort} and its stream mode on {@code echoPort + 1}; see
     * {@link #startEchoServer(int, int)}.
     */
    public LabProcess startEchoServer(int echoPort) {
        return startEchoServer(echoPort, echoPort + 1);
    }

    /**
     * Starts the TCP echo/stream server (python3 asyncio) on all addresses of this server, and waits until both
     * ports listen.
     * <ul>
     *   <li>{@code echoPort}: every byte received is sent back, until the client closes.</li>
     *   <li>{@code streamPort}: the client sends one command line. {@code SEND <n>\n}: the server sends n bytes,
     *   byte i being {@code i % 256}, then closes. {@code SINK\n}: the server reads until the client shuts its
     *   side down, then answers {@code RECEIVED <n>\n} and closes.</li>
     * </ul>
     */
    public synchronized LabProcess startEchoServer(int echoPort, int streamPort) {
        requirePort(echoPort);
        requirePort(streamPort);
        if (echoPort == streamPort) {
            throw new IllegalArgumentException("echo and stream ports must differ, both are " + echoPort);
        }
        LabProcess running = echoServers.get(echoPort);
        if (running != null && running.isAlive()) {
            throw new IllegalStateException("an echo server already runs on " + name() + " port " + echoPort);
        }
        String python = Tool.PYTHON3.require();
        Path script = lab.workDirectory().resolve(ECHO_SERVER_SCRIPT);
        installScript(script);
        LabProcess process = spawn(List.of(python, "-u", script.toString(), "--echo-port", Integer.toString(echoPort),
                "--stream-port", Integer.toString(streamPort)),
                lab.workDirectory().resolve(name() + "-echo-" + echoPort + ".log"));
        echoServers.put(echoPort, process);
        process.awaitOutput(ECHO_READY_LINE, START_TIMEOUT);
        return process;
    }

    /** Stops the echo server started on {@code echoPort}, if any. */
    public synchronized void stopEchoServer(int echoPort) {
        LabProcess process = echoServers.remove(echoPort);
        if (process != null) {
            process.stop();
        }
    }

    private static void requirePort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
    }

    private String nginxConfig(Path directory, Path pidFile) {
        List<String> lines = new ArrayList<>(List.of(
                "# Generated by the Baton lab for server " + name() + " (" + namespace() + ").",
                "daemon off;",
                "master_process on;",
                "worker_processes 1;",
                "pid " + pidFile + ";",
                "error_log stderr warn;",
                "events { worker_connections 4096; }",
                "http {",
                "    access_log off;",
                "    client_body_temp_path " + directory.resolve("body") + ";",
                "    proxy_temp_path " + directory.resolve("proxy") + ";",
                "    fastcgi_temp_path " + directory.resolve("fastcgi") + ";",
                "    uwsgi_temp_path " + directory.resolve("uwsgi") + ";",
                "    scgi_temp_path " + directory.resolve("scgi") + ";",
                "    server {",
                "        listen " + HTTP_PORT + " default_server;",
                "        location / {",
                "            default_type text/plain;",
                "            return 200 \"" + pageBody().replace("\n", "\\n") + "\";",
                "        }",
                "    }",
                "    server {",
                "        listen " + HTTPS_PORT + " ssl default_server;",
                "        ssl_certificate " + directory.resolve("cert.pem") + ";",
                "        ssl_certificate_key " + directory.resolve("key.pem") + ";",
                "        location / {",
                "            default_type text/plain;",
                "            return 200 \"" + pageBody().replace("\n", "\\n") + "\";",
                "        }",
                "    }",
                "}"));
        return String.join("\n", lines) + "\n";
    }

    private static void installScript(Path target) {
        try (InputStream in = ServerHost.class.getResourceAsStream(ECHO_SERVER_SCRIPT)) {
            if (in == null) {
                throw new LabException("resource " + ECHO_SERVER_SCRIPT + " is missing from the baton-lab jar");
            }
            Files.createDirectories(target.getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new LabException("cannot install " + target + ": " + e.getMessage(), e);
        }
    }

    private static void awaitFile(LabProcess process, Path file) {
        long deadlineNs = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(file)) {
            if (!process.isAlive() || System.nanoTime() - deadlineNs > 0) {
                String reason = process.isAlive() ? "did not write " + file + " within " + START_TIMEOUT.toMillis() + " ms"
                        : "exited before writing " + file;
                process.stop();
                throw new LabException("nginx on " + process.host().name() + " " + reason + "; output:\n" + process.output());
            }
            try {
                Thread.sleep(10); // nginx's start-up has no event to block on but its pid file
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted while waiting for nginx", e);
            }
        }
    }
}
