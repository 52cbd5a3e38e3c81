package dev.baton.config;

import java.util.Objects;

/**
 * One router interface.
 *
 * @param name    the Linux interface name, e.g. {@code eth0}
 * @param role    which side it faces
 * @param address the router's own IPv4 address on it, with prefix length: the source of Baton's ARP
 *                requests, and the attached subnet that server addresses must lie in
 */
public record InterfaceConfig(String name, InterfaceRole role, Ipv4Prefix address) {

    public InterfaceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(address, "address");
    }

    /** Which traffic an interface carries. Written in the file as {@link #configName()}. */
    public enum InterfaceRole {
        /** Faces the clients and the previous-hop router: VIP traffic arrives here, ARP for VIPs is answered here. */
        CLIENT("client"),
        /** Faces the servers: forwarded frames leave here and server MACs are resolved here. */
        SERVER("server"),
        /** One interface for both sides (a single L2 segment). */
        BOTH("both");

        private final String configName;

        InterfaceRole(String configName) {
            this.configName = configName;
        }

        /** The word used for this role in the configuration file. */
        public String configName() {
            return configName;
        }

        public boolean facesClients() {
            return this != SERVER;
        }

        public boolean facesServers() {
            return this != CLIENT;
        }
    }
}
