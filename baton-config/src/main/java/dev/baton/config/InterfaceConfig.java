package dev.baton.config;

/**
 * One router interface.
 *
 * @param name    the Linux interface name, e.g. {@code eth0}
 * @param role    which side it faces
 * @param address the router's own IPv4 address on it, with prefix length: the source of Baton's ARP
 *                requests, and the attached subnet that server addresses must lie in
 */
public record InterfaceConfig(String name, InterfaceRole role, Ipv4Prefix address) {

    /** Which traffic an interface carries. */
    public enum InterfaceRole {
        /** Faces the clients and the previous-hop router: VIP traffic arrives here, ARP for VIPs is answered here. */
        CLIENT,
        /** Faces the servers: forwarded frames leave here and server MACs are resolved here. */
        SERVER,
        /** One interface for both sides (a single L2 segment). */
        BOTH;

        public boolean facesClients() {
            return this != SERVER;
        }

        public boolean facesServers() {
            return this != CLIENT;
        }
    }
}
