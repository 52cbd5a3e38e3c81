package dev.baton.probe;

import dev.baton.nativeio.KernelConstants;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class ErrnoCausesTest {

    @Test
    void aCauseNamesTheActionAndTheErrnoAndIsMadeOnce() {
        ErrnoCauses causes = new ErrnoCauses();
        String refused = causes.of(ErrnoCauses.CONNECT, KernelConstants.ETIMEDOUT);
        assertEquals("cannot connect: ETIMEDOUT (Connection timed out)", refused);
        assertSame(refused, causes.of(ErrnoCauses.CONNECT, KernelConstants.ETIMEDOUT), "cached");
        assertEquals("cannot bind to the source address: ETIMEDOUT (Connection timed out)",
                causes.of(ErrnoCauses.BIND, KernelConstants.ETIMEDOUT), "per action");
    }

    @Test
    void errnosOutsideTheCacheAreEachNamedForThemselves() {
        ErrnoCauses causes = new ErrnoCauses();
        String first = causes.of(ErrnoCauses.SEND, 300);
        String second = causes.of(ErrnoCauses.SEND, 301);
        assertNotEquals(first, second, "one out-of-range errno must not take another's text");
        assertEquals(first, causes.of(ErrnoCauses.SEND, 300));
    }
}
