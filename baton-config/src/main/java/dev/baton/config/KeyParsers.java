package dev.baton.config;

import dev.baton.codec.Ipv4;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The parser of each key's value in the configuration file, with its range: numbers, durations and sizes within
 * their limits ({@link ConfigLimits}), names, paths, addresses and the HTTP texts of a health check. Each throws
 * {@link IllegalArgumentException} saying, in words a user can act on, what is wrong; {@link ConfigReader} puts the
 * key's file:line and an example beside it.
 */
final class KeyParsers {

    /** A router id: also part of the default control socket's file name. */
    private static final Pattern ROUTER_ID_PATTERN =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (ConfigLimits.MAX_ROUTER_ID_LENGTH - 1) + "}");
    /** A service name: used in counter names and {@code baton ctl} arguments. */
    private static final Pattern SERVICE_NAME_PATTERN =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (ConfigLimits.MAX_SERVICE_NAME_LENGTH - 1) + "}");

    /** A reachability element's name: it travels in the peer report (24 bytes of these characters). */
    private static final Pattern TARGET_NAME_PATTERN =
            Pattern.compile("[A-Za-z0-9._:-]{1," + ConfigLimits.MAX_TARGET_NAME_LENGTH + "}");

    /** Turns a scalar's text into a value, or throws {@link IllegalArgumentException} saying what is wrong. */
    @FunctionalInterface
    interface ValueParser<T> {
        T parse(String text);
    }

    private KeyParsers() {
    }

    static ValueParser<Integer> wholeNumber(int min, int max) {
        ValueParser<Long> number = longNumber(min, max);
        return text -> Math.toIntExact(number.parse(text));
    }

    static ValueParser<Long> longNumber(long min, long max) {
        return text -> {
            long value = ConfigValues.parseWholeNumber(text);
            if (value < min || value > max) {
                throw new IllegalArgumentException(text + " is out of range (" + min + ".." + max + ")");
            }
            return value;
        };
    }

    static ValueParser<Duration> duration(Duration min, Duration max) {
        return text -> {
            Duration value = ConfigValues.parseDuration(text);
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(text + " is out of range ("
                        + ConfigValues.formatDuration(min) + ".." + ConfigValues.formatDuration(max) + ")");
            }
            return value;
        };
    }

    static int size(String text, long min, long max) {
        long value = ConfigValues.parseSize(text);
        if (value < min || value > max) {
            throw new IllegalArgumentException(text + " is out of range ("
                    + ConfigValues.formatSize(min) + ".." + ConfigValues.formatSize(max) + ")");
        }
        return (int) value;
    }

    /** The kernel maps RX blocks as page-aligned, power-of-two chunks (packet_mmap.rst, "block size limit"). */
    static int blockSize(String text) {
        int value = size(text, ConfigLimits.MIN_BLOCK_SIZE_BYTES, ConfigLimits.MAX_BLOCK_SIZE_BYTES);
        if (Integer.bitCount(value) != 1) {
            throw new IllegalArgumentException(text + " is not a power of two (4KiB, 8KiB, ... 1MiB, 2MiB, ...)");
        }
        return value;
    }

    /** A V2 RX slot: whole pages, since the data plane maps each slot as a kernel ring block of its own. */
    static int rxFrameSize(String text) {
        int value = size(text, ConfigLimits.MIN_RX_FRAME_SIZE_BYTES, ConfigLimits.MAX_RX_FRAME_SIZE_BYTES);
        if (value % ConfigLimits.PAGE_SIZE_BYTES != 0) {
            throw new IllegalArgumentException(text + " is not a multiple of the " + ConfigLimits.PAGE_SIZE_BYTES
                    + "-byte page (each V2 slot is a block of its own)");
        }
        return value;
    }

    /** TX slots are TPACKET_ALIGNMENT (16 byte) aligned, as the kernel requires of tp_frame_size. */
    static int txFrameSize(String text) {
        int value = size(text, ConfigLimits.MIN_TX_FRAME_SIZE_BYTES, ConfigLimits.MAX_TX_FRAME_SIZE_BYTES);
        if (value % ConfigLimits.TX_FRAME_ALIGNMENT_BYTES != 0) {
            throw new IllegalArgumentException(text + " is not a multiple of " + ConfigLimits.TX_FRAME_ALIGNMENT_BYTES
                    + " (TPACKET_ALIGNMENT)");
        }
        return value;
    }

    /** Case-insensitive; the message lists the words and suggests the closest. */
    static <E extends Enum<E>> ValueParser<E> enumeration(E[] constants, Function<E, String> word) {
        return text -> {
            List<String> words = new ArrayList<>();
            for (E constant : constants) {
                if (word.apply(constant).equalsIgnoreCase(text)) {
                    return constant;
                }
                words.add(word.apply(constant));
            }
            String message = "'" + text + "' is not one of " + String.join(", ", words);
            Optional<String> suggestion = Suggestions.closest(text, words);
            throw new IllegalArgumentException(suggestion.map(s -> message + "; did you mean '" + s + "'?").orElse(message));
        };
    }

    static String routerId(String text) {
        if (!ROUTER_ID_PATTERN.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a valid id (1.." + ConfigLimits.MAX_ROUTER_ID_LENGTH
                    + " letters, digits, '.', '_' or '-', starting with a letter or digit)");
        }
        return text;
    }

    /** An element name travels in the peer report's 24-byte field (docs/protocol.md, REACHABILITY_REPORT). */
    static String targetName(String text) {
        if (!TARGET_NAME_PATTERN.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a valid element name (1.." + ConfigLimits.MAX_TARGET_NAME_LENGTH
                    + " letters, digits, '.', '_', ':' or '-')");
        }
        return text;
    }

    /** YAML 1.2's booleans, nothing else ("yes" and "on" are YAML 1.1 and mean a string here). */
    static Boolean bool(String text) {
        return switch (text) {
            case "true", "True", "TRUE" -> true;
            case "false", "False", "FALSE" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
        };
    }

    /** The path of an HTTP request line: absolute, printable ASCII without spaces (RFC 9112 section 3.2). */
    static String httpPath(String text) {
        if (!text.startsWith("/") || !printableWithoutSpace(text)) {
            throw new IllegalArgumentException("'" + text + "' is not an HTTP path (starts with '/', printable ASCII, no"
                    + " spaces, at most " + ConfigLimits.MAX_HTTP_TEXT_LENGTH + " characters)");
        }
        return text;
    }

    /**
     * A Host header value: printable ASCII without spaces (it goes into the request as written), at most
     * {@link ConfigLimits#MAX_HTTP_HOST_LENGTH} characters: a DNS name is at most 253, and the prober takes no more.
     */
    static String httpHost(String text) {
        if (text.isEmpty() || text.length() > ConfigLimits.MAX_HTTP_HOST_LENGTH || !printableWithoutSpace(text)) {
            throw new IllegalArgumentException("'" + abbreviated(text) + "' is not a host name for the Host header (printable"
                    + " ASCII, no spaces, at most " + ConfigLimits.MAX_HTTP_HOST_LENGTH + " characters)");
        }
        return text;
    }

    /** A long value cut for an error message: its first 40 characters and how long it was. */
    static String abbreviated(String text) {
        return text.length() <= 64 ? text : text.substring(0, 40) + "… (" + text.length() + " characters)";
    }

    static String expectBody(String text) {
        if (text.isEmpty() || text.length() > ConfigLimits.MAX_EXPECT_BODY_LENGTH) {
            throw new IllegalArgumentException("must be 1.." + ConfigLimits.MAX_EXPECT_BODY_LENGTH + " characters");
        }
        return text;
    }

    static boolean printableWithoutSpace(String text) {
        if (text.length() > ConfigLimits.MAX_HTTP_TEXT_LENGTH) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    static String serviceName(String text) {
        if (!SERVICE_NAME_PATTERN.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a valid name (1.." + ConfigLimits.MAX_SERVICE_NAME_LENGTH
                    + " letters, digits, '.', '_' or '-', starting with a letter or digit)");
        }
        return text;
    }

    /** The kernel's dev_valid_name(): at most IFNAMSIZ - 1 bytes, not "." or "..", no '/', ':' or white space. */
    static String interfaceName(String text) {
        boolean valid = !text.isEmpty() && text.length() <= ConfigLimits.MAX_INTERFACE_NAME_LENGTH
                && !text.equals(".") && !text.equals("..");
        for (int i = 0; valid && i < text.length(); i++) {
            char c = text.charAt(i);
            valid = c > ' ' && c < 0x7f && c != '/' && c != ':';
        }
        if (!valid) {
            throw new IllegalArgumentException("'" + text + "' is not a Linux interface name (1.."
                    + ConfigLimits.MAX_INTERFACE_NAME_LENGTH + " characters, no '/', ':' or spaces)");
        }
        return text;
    }

    /** An absolute path that fits sockaddr_un's sun_path (unix(7)). */
    static Path controlSocket(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("'" + text + "' is not an absolute path");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > ConfigLimits.MAX_CONTROL_SOCKET_PATH_BYTES) {
            throw new IllegalArgumentException("'" + text + "' is longer than " + ConfigLimits.MAX_CONTROL_SOCKET_PATH_BYTES
                    + " bytes, the limit of a Unix socket path");
        }
        return Path.of(text);
    }

    /** Only checked to name something here: the key itself is read from the file at start (PeerKey). */
    static Path keyFile(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("is empty; name the file that holds the pre-shared key");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + text + "' is not a file path: " + e.getReason());
        }
    }

    /**
     * An absolute directory path: the incarnation counter lives there. Relative paths are
     * refused because the daemon's working directory is not the configuration's; whether it can be written
     * is found at start, when the counter is stored.
     */
    static Path stateDirectory(String text) {
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("'" + text + "' is not an absolute path; name the directory that keeps"
                    + " the incarnation counter across restarts, e.g. " + ConfigDefaults.STATE_DIRECTORY);
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + text + "' is not a directory path: " + e.getReason());
        }
    }

    /** Off ({@code 0s}), or a period long enough not to flood the segment with ARP. */
    static Duration reannounce(String text) {
        Duration value = ConfigValues.parseDuration(text);
        if (!value.isZero() && (value.compareTo(ConfigLimits.MIN_GRATUITOUS_ARP_REANNOUNCE) < 0
                || value.compareTo(ConfigLimits.MAX_GRATUITOUS_ARP_REANNOUNCE) > 0)) {
            throw new IllegalArgumentException(text + " is neither 0s (off) nor within "
                    + ConfigValues.formatDuration(ConfigLimits.MIN_GRATUITOUS_ARP_REANNOUNCE) + ".."
                    + ConfigValues.formatDuration(ConfigLimits.MAX_GRATUITOUS_ARP_REANNOUNCE));
        }
        return value;
    }

    /** A peer link's end: a unicast IPv4 address (the peer protocol runs over IPv4 only today). */
    static Integer linkAddress(String text) {
        if (text.indexOf(':') >= 0) {
            throw new IllegalArgumentException("'" + text + "' is an IPv6 address; peer links are IPv4 only for now");
        }
        return unicastAddress(text, "a link address");
    }

    /**
     * The metrics listener's {@code address:port}: a strict dotted quad that a host can bind (0.0.0.0 for every
     * address, loopback included), a colon and a port 1..65535.
     */
    static MetricsSettings listenAddress(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + abbreviated(text) + "' has no port (address:port, such as 127.0.0.1:9477)");
        }
        if (text.indexOf(':') != colon || text.startsWith("[")) {
            throw new IllegalArgumentException("'" + abbreviated(text) + "' is an IPv6 address; the metrics listener is IPv4 only for now");
        }
        String host = text.substring(0, colon);
        String digits = text.substring(colon + 1);
        int address = Ipv4.parse(host);
        int firstOctet = address >>> 24;
        if (address != 0 && firstOctet != 127 && specialUse(address) != null) {
            throw new IllegalArgumentException(host + " is " + specialUse(address) + " and cannot be listened on");
        }
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + abbreviated(digits) + "' is not a port (a whole number 1..65535)");
        }
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is out of range (1..65535)");
        }
        return new MetricsSettings(address, port);
    }

    /** A host address on an attached subnet: not the subnet's network or broadcast address. */
    static Ipv4Prefix interfaceAddress(String text) {
        Ipv4Prefix prefix = ConfigValues.parsePrefix(text, ConfigLimits.MIN_INTERFACE_PREFIX_LENGTH);
        String specialUse = specialUse(prefix.address());
        if (specialUse != null) {
            throw new IllegalArgumentException(text + " is " + specialUse + " and cannot be an interface address");
        }
        if (prefix.hasNetworkAndBroadcastAddresses() && prefix.address() == prefix.networkAddress()) {
            throw new IllegalArgumentException(text + " is the network address of " + prefix.subnetText() + ", not a host address");
        }
        if (prefix.hasNetworkAndBroadcastAddresses() && prefix.address() == prefix.broadcastAddress()) {
            throw new IllegalArgumentException(text + " is the broadcast address of " + prefix.subnetText() + ", not a host address");
        }
        return prefix;
    }

    /**
     * A subnet element's subnet, {@code a.b.c.d/n} with n in 8..32 (US 6,148,410: "the configured list of hosts or
     * subnets"). Host bits set are left to {@link ConfigChecks}, which can show the subnet meant.
     */
    static Ipv4Prefix subnet(String text) {
        Ipv4Prefix prefix = ConfigValues.parsePrefix(text, ConfigLimits.MIN_SUBNET_PREFIX_LENGTH);
        String specialUse = specialUse(prefix.networkAddress());
        if (specialUse != null) {
            throw new IllegalArgumentException(text + " is " + specialUse + " and holds no hosts to probe");
        }
        return prefix;
    }

    /** A strict dotted quad that can be a unicast host: {@code role} says what for, e.g. "a VIP". */
    static Integer unicastAddress(String text, String role) {
        int address = Ipv4.parse(text);
        String specialUse = specialUse(address);
        if (specialUse != null) {
            throw new IllegalArgumentException(text + " is " + specialUse + " and cannot be " + role);
        }
        return address;
    }

    /**
     * Address blocks that are never a unicast host on a segment (RFC 6890 section 2.2.2, RFC 1112 section 4),
     * or {@code null}.
     */
    static String specialUse(int address) {
        int firstOctet = address >>> 24;
        if (firstOctet == 0) {
            return "a \"this network\" address (0.0.0.0/8)";
        }
        if (firstOctet == 127) {
            return "a loopback address (127.0.0.0/8)";
        }
        if (firstOctet >= 224 && firstOctet <= 239) {
            return "a multicast address (224.0.0.0/4)";
        }
        if (firstOctet >= 240) {
            return "a reserved or broadcast address (240.0.0.0/4)";
        }
        return null;
    }
}
