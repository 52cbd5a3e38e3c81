package dev.baton.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A configuration path or text chosen to hang or exhaust the loader gets a clear problem. */
class HostileConfigFileTest {

    @Test
    void deepNestingIsAProblemWithItsLineNotAStackOverflow() {
        String text = "router: { id: r1 }\nservices: " + "[".repeat(1_600) + "]".repeat(1_600) + "\n";
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(text, Path.of("deep.yaml")));
        String message = thrown.getMessage();
        assertTrue(message.startsWith("deep.yaml:2:42: nested deeper than"), message);
        assertTrue(message.contains("nested deeper than " + ConfigLoader.MAX_NESTING_DEPTH), message);
        assertTrue(message.contains("for example: services: [ { name: web, ports: [80] } ]"), message);
    }

    @Test
    void nestingUpToTheLimitIsOnlyASchemaMatter() {
        int depth = ConfigLoader.MAX_NESTING_DEPTH - 1;
        String text = "router: { id: r1 }\nservices: " + "[".repeat(depth) + "]".repeat(depth) + "\n";
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(text, Path.of("ok.yaml")));
        assertTrue(!thrown.getMessage().contains("nested deeper"), thrown.getMessage());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aFifoIsRefusedWithoutOpeningIt(@TempDir Path directory) throws Exception {
        Path fifo = directory.resolve("baton.yaml");
        mkfifo(fifo);
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(fifo));
        assertEquals(fifo + ": is a FIFO (named pipe), not a regular file", thrown.getMessage());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void aDeviceIsRefused() {
        Path zero = Path.of("/dev/zero");
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(zero));
        assertEquals("/dev/zero: is a character device, not a regular file", thrown.getMessage());
    }

    @Test
    void aDirectoryIsRefused(@TempDir Path directory) {
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(directory));
        assertEquals(directory + ": is a directory, not a regular file", thrown.getMessage());
    }

    @Test
    void aFileLargerThanTheLimitIsRefusedBeforeItIsRead(@TempDir Path directory) throws IOException {
        Path big = directory.resolve("big.yaml");
        Files.write(big, new byte[BoundedFile.MAX_CONFIG_BYTES + 1]);
        ConfigException thrown = assertThrows(ConfigException.class, () -> ConfigLoader.load(big));
        assertEquals(big + ": is too large: " + (BoundedFile.MAX_CONFIG_BYTES + 1) + " bytes, at most "
                + BoundedFile.MAX_CONFIG_BYTES + " bytes are read", thrown.getMessage());
    }

    @Test
    void theBoundedReaderStopsOneBytePastTheLimitWhateverTheSizeSaid(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("key");
        Files.write(file, new byte[100]);
        assertEquals(100, BoundedFile.read(file, 100).length);
        BoundedFile.RefusedException refused = assertThrows(BoundedFile.RefusedException.class, () -> BoundedFile.read(file, 99));
        assertTrue(refused.getMessage().startsWith("is too large"), refused.getMessage());
    }

    static void mkfifo(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
    }
}
