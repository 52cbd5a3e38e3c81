package dev.baton.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabNetworkTest {

    @Test
    void briefLinkListingYieldsTheMacOfEveryInterfaceWithoutItsPeerSuffix() {
        String output = """
                lo               UNKNOWN        00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP>
                bt3fa2r0f@if7    UP             4a:1c:9e:02:33:10 <BROADCAST,MULTICAST,UP,LOWER_UP>
                bt3fa2r0b@if9    DOWN           ee:01:02:03:04:05 <BROADCAST,MULTICAST>
                """;
        assertEquals(Map.of("lo", "00:00:00:00:00:00", "bt3fa2r0f", "4a:1c:9e:02:33:10", "bt3fa2r0b", "ee:01:02:03:04:05"),
                LabNetwork.parseBriefLinks(output));
    }
}
