package dev.baton.dataplane.engine;

import dev.baton.dataplane.io.PacketPort;

/** Opens the packet port of one worker on one interface. */
@FunctionalInterface
public interface PortFactory {

    /**
     * @param interfaceName the Linux interface
     * @param worker        0-based worker index
     * @param workers       worker count (the fanout group size)
     */
    PacketPort open(String interfaceName, int worker, int workers);
}
