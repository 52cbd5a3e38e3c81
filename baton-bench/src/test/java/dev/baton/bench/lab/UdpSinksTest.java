package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UdpSinksTest {

    @Test
    void theRuleCountsOnlyFramesForThisServersMacTheVipAndThePort() {
        assertEquals("""
                add table netdev baton_bench_sink
                delete table netdev baton_bench_sink
                table netdev baton_bench_sink {
                  chain ingress {
                    type filter hook ingress device "bt0001s0b" priority -500; policy accept;
                    ether daddr 0a:a3:ab:55:46:5d ip daddr 192.0.2.10 udp dport 9000 counter drop comment "benchmark sink"
                  }
                }
                """, UdpSinks.ruleset("bt0001s0b", "0a:a3:ab:55:46:5d", "192.0.2.10", 9000));
    }

    @Test
    void theCounterIsReadFromTheListing() {
        String listing = """
                table netdev baton_bench_sink {
                	chain ingress {
                		type filter hook ingress device "bt0001s0b" priority -500; policy accept;
                		ether daddr 0a:a3:ab:55:46:5d ip daddr 192.0.2.10 udp dport 9000 counter packets 3085670 bytes 141940820 drop comment "benchmark sink"
                	}
                }
                """;
        assertEquals(3085670, UdpSinks.parseCounterPackets(listing));
    }

    @Test
    void aListingWithoutExactlyOneCounterIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> UdpSinks.parseCounterPackets("table netdev x {\n}\n"));
        assertThrows(IllegalArgumentException.class, () -> UdpSinks.parseCounterPackets(
                "counter packets 1 bytes 60 drop\ncounter packets 2 bytes 120 drop\n"));
    }
}
