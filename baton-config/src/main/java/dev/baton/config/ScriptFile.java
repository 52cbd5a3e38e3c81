package dev.baton.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/**
 * Checks a script the router will run (as {@code notify.on-state-change}) when the configuration is loaded, not
 * when the first state change happens: a typo or a missing execute bit shows in {@code baton check} rather than
 * as a failed run in the middle of a failover.
 *
 * <p>The router runs the script with its own privileges (root, or the capabilities its unit gives it), so anyone
 * who can change the script runs code as the router. As keepalived's {@code script_security}, a script is refused
 * when a user other than root or the router's own could change it: owned by another user, writable by group or
 * others, or in a directory that another user owns or that group or others can write (a sticky directory such as
 * {@code /tmp} excepted: there nobody can rename another's file away).
 *
 * <p>What is not checked: the directories above the script's own, and a change of the file after loading.
 */
final class ScriptFile {

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS_WRITE =
            EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
    /** S_ISVTX in {@code st_mode} (inode(7)). */
    private static final int STICKY_BIT = 01000;

    private ScriptFile() {
    }

    /**
     * The script at {@code text}: an absolute path to an existing regular file this process may execute, that only
     * root or this process's user can change.
     *
     * @throws IllegalArgumentException saying what is wrong and the command that fixes it
     */
    static Path check(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("'" + text + "' is not an absolute path; the router runs the script from"
                    + " its own working directory, not the configuration's");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > ConfigLimits.MAX_SCRIPT_PATH_BYTES) {
            throw new IllegalArgumentException("is longer than " + ConfigLimits.MAX_SCRIPT_PATH_BYTES
                    + " bytes (PATH_MAX)");
        }
        Path script;
        try {
            script = Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + text + "' is not a file path: " + e.getReason());
        }
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(script, PosixFileAttributes.class); // follows symbolic links
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(script + " does not exist");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalArgumentException(script + " cannot be read: " + e.getMessage());
        }
        if (!attributes.isRegularFile()) {
            throw new IllegalArgumentException(script + " is " + (attributes.isDirectory() ? "a directory" : "not a regular file")
                    + "; name the script itself");
        }
        String mode = PosixFilePermissions.toString(attributes.permissions());
        if (!Files.isExecutable(script)) {
            throw new IllegalArgumentException(script + " is not executable (" + mode + "); make it so with: chmod 755 " + script);
        }
        Set<PosixFilePermission> writable = EnumSet.copyOf(GROUP_OR_OTHERS_WRITE);
        writable.retainAll(attributes.permissions());
        if (!writable.isEmpty()) {
            throw new IllegalArgumentException(script + " is writable by group or others (" + mode + "), who could make the"
                    + " router run anything; fix it with: chmod go-w " + script);
        }
        try {
            UserPrincipal self = user(script, System.getProperty("user.name"));
            UserPrincipal root = user(script, "root");
            if (!attributes.owner().equals(self) && !attributes.owner().equals(root)) {
                throw new IllegalArgumentException(script + " is owned by " + attributes.owner().getName() + ", who could"
                        + " change what the router runs (only root or " + self.getName() + ", who runs baton, may own it);"
                        + " fix it with: chown root " + script);
            }
            checkDirectory(script, self, root);
        } catch (IOException e) {
            throw new IllegalArgumentException(script + " cannot be checked: " + e.getMessage());
        }
        return script;
    }

    /** The script's directory (after symbolic links): owned by root or this user, not writable by others unless sticky. */
    private static void checkDirectory(Path script, UserPrincipal self, UserPrincipal root) throws IOException {
        Path directory = script.toRealPath().getParent();
        if (directory == null) {
            return;
        }
        PosixFileAttributes dir = Files.readAttributes(directory, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!dir.owner().equals(self) && !dir.owner().equals(root)) {
            throw new IllegalArgumentException(script + ": its directory " + directory + " is owned by " + dir.owner().getName()
                    + ", who could put another script in its place; keep it in a directory owned by root, e.g. /etc/baton");
        }
        Set<PosixFilePermission> writable = EnumSet.copyOf(GROUP_OR_OTHERS_WRITE);
        writable.retainAll(dir.permissions());
        if (!writable.isEmpty() && !sticky(directory)) {
            throw new IllegalArgumentException(script + ": its directory " + directory + " is writable by group or others ("
                    + PosixFilePermissions.toString(dir.permissions()) + "), who could put another script in its place;"
                    + " fix it with: chmod go-w " + directory);
        }
    }

    /** Whether {@code directory} has the sticky bit (then only a file's owner may rename or remove it). */
    private static boolean sticky(Path directory) {
        try {
            return (((Integer) Files.getAttribute(directory, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & STICKY_BIT) != 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return false; // no "unix" view: judged by its permissions alone
        }
    }

    private static UserPrincipal user(Path onFileSystem, String name) throws IOException {
        return onFileSystem.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
    }
}
