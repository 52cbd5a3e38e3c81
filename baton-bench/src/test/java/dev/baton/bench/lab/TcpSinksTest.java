package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpSinksTest {

    @Test
    void oneRulePerKindOfSegmentForThisServersMacTheVipAndThePort() {
        assertEquals("""
                add table netdev baton_bench_tcp_sink
                delete table netdev baton_bench_tcp_sink
                table netdev baton_bench_tcp_sink {
                  chain ingress {
                    type filter hook ingress device "bt0001s0b" priority -500; policy accept;
                    ether daddr 0a:a3:ab:55:46:5d ip daddr 192.0.2.10 tcp dport 8080 tcp flags & (fin | syn | rst | psh | ack) == syn counter drop comment "syn"
                    ether daddr 0a:a3:ab:55:46:5d ip daddr 192.0.2.10 tcp dport 8080 tcp flags & (fin | syn | rst | psh | ack) == ack counter drop comment "ack"
                    ether daddr 0a:a3:ab:55:46:5d ip daddr 192.0.2.10 tcp dport 8080 tcp flags & (fin | syn | rst | psh | ack) == psh | ack counter drop comment "confirm"
                    ether daddr 0a:a3:ab:55:46:5d ip daddr 192.0.2.10 tcp dport 8080 counter drop comment "other"
                  }
                }
                """, TcpSinks.ruleset("bt0001s0b", "0a:a3:ab:55:46:5d", "192.0.2.10", 8080));
    }

    /** As nft 1.0.6 lists that table back (its flags in its own notation). */
    private static final String LISTING = """
            table netdev baton_bench_tcp_sink {
            	chain ingress {
            		type filter hook ingress device "d0" priority -500; policy accept;
            		ether daddr 0a:a3:ab:55:46:5d ip daddr 192.0.2.10 tcp dport 8080 tcp flags syn / fin,syn,rst,psh,ack counter packets 239201 bytes 14352060 drop comment "syn"
            		ether daddr 0a:a3:ab:55:46:5d ip daddr 192.0.2.10 tcp dport 8080 tcp flags ack / fin,syn,rst,psh,ack counter packets 203251 bytes 12195060 drop comment "ack"
            		ether daddr 0a:a3:ab:55:46:5d ip daddr 192.0.2.10 tcp dport 8080 tcp flags psh,ack / fin,syn,rst,psh,ack counter packets 138958 bytes 8337480 drop comment "confirm"
            		ether daddr 0a:a3:ab:55:46:5d ip daddr 192.0.2.10 tcp dport 8080 counter packets 0 bytes 0 drop comment "other"
            	}
            }
            """;

    @Test
    void theCountersAreReadByKindFromTheListing() {
        assertArrayEquals(new long[]{239_201, 203_251, 138_958, 0}, TcpSinks.parseCounters(LISTING));
    }

    @Test
    void aListingWithoutEveryCounterExactlyOnceIsAnError() {
        String missing = LISTING.replace("comment \"other\"", "");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TcpSinks.parseCounters(missing)).getMessage()
                .startsWith("no 'other' counter"));
        String twice = LISTING.replace("comment \"ack\"", "comment \"syn\"");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TcpSinks.parseCounters(twice)).getMessage()
                .startsWith("two 'syn' counters"));
        String unknown = LISTING.replace("comment \"other\"", "comment \"rst\"");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TcpSinks.parseCounters(unknown)).getMessage()
                .startsWith("a counter of unknown kind 'rst'"));
    }
}
