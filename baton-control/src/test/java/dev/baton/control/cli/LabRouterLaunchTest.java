package dev.baton.control.cli;

import dev.baton.lab.LabRouter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LabRouterLaunchTest {

    @Test
    void theLabStartsRoutersWithTheBatonCommandsMainClass() {
        assertEquals(Baton.class.getName(), LabRouter.BATON_MAIN_CLASS,
                "the lab names the main class it runs `baton run` with; it must follow a rename");
    }
}
