package dev.baton.acceptance;

import dev.baton.lab.HaLabPair;
import dev.baton.lab.Lab;
import dev.baton.lab.Tool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.util.List;

/**
 * The life of one {@link HaLabPair} for a test class, shared by the failover and hostile-input lab tests:
 * built before the class (or the class skipped, with the reason, when the lab or a tool is missing), removed
 * after it even when a scenario failed; each scenario starts with the routers' logs forgotten, and a failed
 * one prints them (with their JVMs' long pauses). Register it as a static field.
 */
final class HaLabLifecycle implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, TestWatcher {

    private final List<Tool> tools;
    private HaLabPair pair;

    /** @param tools the programs the class's scenarios run besides the routers */
    HaLabLifecycle(Tool... tools) {
        this.tools = List.of(tools);
    }

    /** The pair, once built (from the class's {@code @BeforeAll} methods on). */
    HaLabPair pair() {
        return pair;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Assumptions.assumeTrue(Lab.isSupported(), () -> "lab tests need root and iproute2: " + Lab.unsupportedReason());
        for (Tool tool : tools) {
            Assumptions.assumeTrue(tool.isAvailable(), tool::missingMessage);
        }
        pair = HaLabPair.build();
        System.out.print(pair.lab().describe());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (pair != null) {
            pair.close();
            pair = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        pair.forgetLogs();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (pair != null) {
            System.out.println("==== " + context.getDisplayName() + " failed: router logs ====\n" + pair.logs());
        }
    }
}
