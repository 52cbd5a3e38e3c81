/**
 * Packet ports: the forwarding code's only view of an interface. {@link dev.baton.dataplane.io.AfPacketPort}
 * runs on AF_PACKET TPACKET_V3 rings; {@link dev.baton.dataplane.io.MemoryPacketPort} runs the same code in
 * unit tests. A port belongs to one worker thread.
 */
package dev.baton.dataplane.io;
