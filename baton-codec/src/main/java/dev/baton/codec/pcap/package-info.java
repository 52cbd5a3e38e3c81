/**
 * Classic libpcap files: {@link dev.baton.codec.pcap.PcapReader} and {@link dev.baton.codec.pcap.PcapWriter}
 * over {@link dev.baton.codec.pcap.PcapRecord}s. Used by tests (golden packets, captured fixtures under
 * {@code src/test/resources/pcap/} in this module's test-jar) and tools, never by the forwarding path:
 * these classes allocate. Any thread; an instance belongs to the thread using it.
 */
package dev.baton.codec.pcap;
