package dev.baton.control.router;

import dev.baton.config.BatonConfig;
import dev.baton.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A file with keys the router checks but does not act on yet gets them named in the start warning. */
class NotActedOnYetTest {

    static final String BASE = """
            router: { id: baton-1 }
            interfaces:
              - { name: eth0, role: client, address: 192.0.2.2/24 }
              - { name: eth1, role: server, address: 198.51.100.2/24 }
            services:
              - name: web
                vip: 192.0.2.10
                ports: [80]
                servers: [{ address: 198.51.100.11 }]
            """;

    static BatonConfig load(String yaml) throws Exception {
        return ConfigLoader.load(yaml, Path.of("t.yaml"), "host-1");
    }

    @Test
    void namesEachKeyOnce() throws Exception {
        assertEquals("", RouterDaemon.notActedOnYet(load(BASE)));
        String all = BASE.replace("    servers: [{ address: 198.51.100.11 }]\n", """
                    health-check: { type: tcp }
                    on-server-down: drop
                    servers: [{ address: 198.51.100.11, alternates: [198.51.100.111] }, { address: 198.51.100.12, alternates: 198.51.100.121 }]
                    fallback: [{ address: 198.51.100.99 }]
                reachability:
                  targets: [{ name: upstream, address: 192.0.2.1, probe: arp }]
                """);
        assertEquals("fallback", RouterDaemon.notActedOnYet(load(all)));
    }
}
