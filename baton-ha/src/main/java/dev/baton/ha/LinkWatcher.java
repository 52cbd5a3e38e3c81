package dev.baton.ha;

import dev.baton.nativeio.NetworkInterfaces;

/**
 * Reads whether a local interface is up with carrier (the patent's connectivity failures 2(a) and 2(b):
 * the active router's own client- or server-facing link). Injected so tests can cut a link without a
 * namespace.
 */
@FunctionalInterface
public interface LinkWatcher {

    /** The kernel's view: {@code IFF_UP} and {@code IFF_RUNNING} (SIOCGIFFLAGS). */
    LinkWatcher KERNEL = NetworkInterfaces::carrierUp;

    boolean carrierUp(String interfaceName);
}
