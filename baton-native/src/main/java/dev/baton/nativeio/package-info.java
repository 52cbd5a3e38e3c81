/**
 * Native I/O through the FFM API ({@code java.lang.foreign}): libc bindings ({@link dev.baton.nativeio.LibC}),
 * kernel struct layouts and constants ({@link dev.baton.nativeio.KernelStructs},
 * {@link dev.baton.nativeio.KernelConstants}), AF_PACKET TPACKET_V3 or TPACKET_V2
 * ({@link dev.baton.nativeio.TpacketVersion}) sockets with RX and TX rings
 * ({@link dev.baton.nativeio.PacketSocket}), fanout by client address
 * ({@link dev.baton.nativeio.ClientShardFanout}, classic BPF), interface facts and network namespaces.
 *
 * <p>Threading: a {@link dev.baton.nativeio.PacketSocket} and a {@link dev.baton.nativeio.LibC}
 * instance belong to one thread, the forwarding worker that drives the socket (they keep unsynchronized
 * cursors and errno capture state). Everything else here is stateless and callable from any thread.
 * Nothing here allocates or makes a system call per packet.
 */
package dev.baton.nativeio;
