package dev.baton.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The external programs the lab runs, each with the Debian package that provides it, so that a missing binary
 * is reported as "install package X" rather than as an obscure exec failure.
 */
public enum Tool {

    IP("ip", "iproute2"),
    SYSCTL("sysctl", "procps"),
    ETHTOOL("ethtool", "ethtool"),
    NGINX("nginx", "nginx-light"),
    PYTHON3("python3", "python3"),
    CURL("curl", "curl"),
    PROMETHEUS("prometheus", "prometheus"),
    ARPING("arping", "arping"),
    PING("ping", "iputils-ping"),
    TCPDUMP("tcpdump", "tcpdump"),
    OPENSSL("openssl", "openssl"),
    /** Headless, for the status page's test. */
    CHROMIUM("chromium", "chromium");

    /**
     * Debian's own directories are searched before PATH so the lab runs the distribution's tools (say the system
     * python3 rather than a per-user shim) whatever the caller's environment.
     */
    private static final List<String> SYSTEM_DIRECTORIES = List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin");

    private final String binary;
    private final String debianPackage;

    Tool(String binary, String debianPackage) {
        this.binary = binary;
        this.debianPackage = debianPackage;
    }

    public String binary() {
        return binary;
    }

    public String debianPackage() {
        return debianPackage;
    }

    /** The executable, if installed. */
    public Optional<Path> find() {
        for (String directory : searchPath()) {
            Path candidate = Path.of(directory, binary);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public boolean isAvailable() {
        return find().isPresent();
    }

    /**
     * The executable's absolute path.
     *
     * @throws LabException saying which Debian package to install when it is missing
     */
    public String require() {
        return find().map(Path::toString).orElseThrow(() -> new LabException(missingMessage()));
    }

    /** "nginx not found in ...: install the Debian package nginx-light (apt-get install -y nginx-light)". */
    public String missingMessage() {
        return binary + " not found in " + String.join(":", searchPath()) + ": install the Debian package "
                + debianPackage + " (apt-get install -y " + debianPackage + ")";
    }

    private static List<String> searchPath() {
        Set<String> directories = new LinkedHashSet<>(SYSTEM_DIRECTORIES);
        String path = System.getenv("PATH");
        if (path != null) {
            for (String directory : path.split(":")) {
                if (!directory.isEmpty()) {
                    directories.add(directory);
                }
            }
        }
        return new ArrayList<>(directories);
    }
}
