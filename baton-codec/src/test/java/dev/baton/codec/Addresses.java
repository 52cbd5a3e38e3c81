package dev.baton.codec;

/** Test helper: dotted-quad text to the {@code int} form the codecs use, so expectations read like tcpdump's. */
final class Addresses {

    private Addresses() {
    }

    static int ipv4(String dotted) {
        String[] parts = dotted.split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException(dotted);
        }
        int address = 0;
        for (String part : parts) {
            int octet = Integer.parseInt(part);
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException(dotted);
            }
            address = (address << 8) | octet;
        }
        return address;
    }
}
