package dev.baton.config;

/** Parsing and formatting of dotted-quad IPv4 addresses held in an int (192.0.2.1 is 0xC0000201). */
public final class Ipv4 {

    private Ipv4() {
    }

    /**
     * Parses a dotted quad strictly: four decimal parts 0..255, no leading zeros, nothing else.
     *
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static int parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (it needs four dot-separated parts)");
        }
        int value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (bad part '" + part + "')");
            }
            int octet = 0;
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                if (c < '0' || c > '9') {
                    throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (bad part '" + part + "')");
                }
                octet = octet * 10 + (c - '0');
            }
            if (octet > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (" + octet + " > 255)");
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    public static String format(int address) {
        return ((address >>> 24) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }
}
