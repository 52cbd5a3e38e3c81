package dev.baton.bench.lab;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class UdpGeneratorTest {

    @Test
    void framesAre60BytesOnTheVethSo64WithTheFcsOfAWire() {
        assertEquals(60, UdpGenerator.FRAME_LENGTH_BYTES);
        assertEquals(18, UdpGenerator.PAYLOAD_BYTES);
        assertEquals(60, UdpGenerator.ETHERNET_HEADER_BYTES + UdpGenerator.IPV4_HEADER_BYTES + UdpGenerator.UDP_HEADER_BYTES
                + UdpGenerator.PAYLOAD_BYTES);
    }

    @Test
    void packetConfigAddressesTheRouterAndRunsThroughOneSourcePortPerFlow() {
        assertEquals("""
                {
                  eth(da=96:cd:88:6b:eb:c9, sa=86:95:12:d4:9d:6b),
                  ipv4(sa=203.0.113.10, da=192.0.2.10, ttl=64),
                  udp(sp=dinc(10000, 10255), dp=9000),
                  fill(0x00, 18)
                }
                """, UdpGenerator.packetConfig("86:95:12:d4:9d:6b", "96:cd:88:6b:eb:c9", "203.0.113.10", "192.0.2.10",
                10000, 256, 9000));
    }

    @Test
    void sourcePortsMustFitTheirField() {
        assertThrows(IllegalArgumentException.class,
                () -> UdpGenerator.packetConfig("a", "b", "203.0.113.10", "192.0.2.10", 65500, 256, 9000));
        assertThrows(IllegalArgumentException.class,
                () -> UdpGenerator.packetConfig("a", "b", "203.0.113.10", "192.0.2.10", 10000, 0, 9000));
    }

    @Test
    void theGeneratorIsBoundedInCountAndTimeAndPinned() {
        assertEquals(List.of("timeout", "-s", "INT", "23", "taskset", "-c", "0", "trafgen", "--dev", "bt0001upf",
                        "--conf", "/run/x.cfg", "--num", "5000000", "--cpus", "1", "--no-sock-mem", "--notouch-irq"),
                UdpGenerator.command("bt0001upf", Path.of("/run/x.cfg"), 5_000_000, Duration.ofSeconds(23), 0));
    }
}
