package dev.baton.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ToolTest {

    @ParameterizedTest
    @CsvSource({"IP, iproute2", "SYSCTL, procps", "ETHTOOL, ethtool", "NGINX, nginx-light", "PYTHON3, python3",
                "CURL, curl", "ARPING, arping", "PING, iputils-ping", "TCPDUMP, tcpdump"})
    void everyToolNamesItsDebianPackage(Tool tool, String debianPackage) {
        assertEquals(debianPackage, tool.debianPackage());
        assertTrue(tool.missingMessage().contains("apt-get install -y " + debianPackage), tool.missingMessage());
        assertTrue(tool.missingMessage().startsWith(tool.binary() + " not found"), tool.missingMessage());
    }

    @ParameterizedTest
    @EnumSource(Tool.class)
    void foundToolIsAnExecutableNamedAfterTheBinary(Tool tool) {
        tool.find().ifPresent(path -> {
            assertEquals(tool.binary(), path.getFileName().toString());
            assertTrue(path.isAbsolute());
            assertEquals(path.toString(), tool.require());
        });
    }
}
