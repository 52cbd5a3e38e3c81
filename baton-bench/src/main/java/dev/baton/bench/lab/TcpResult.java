package dev.baton.bench.lab;

import dev.baton.control.protocol.Json;

import java.util.List;
import java.util.Map;

/**
 * One iperf3 run's outcome, from its JSON report ({@code iperf3 -J}): what the receiver got, so a sender that
 * queued data which never arrived does not count, and the sender's TCP retransmissions.
 *
 * @param receivedBitsPerSecond {@code end.sum_received.bits_per_second}
 * @param seconds               {@code end.sum_received.seconds}
 * @param retransmits           {@code end.sum_sent.retransmits}
 * @param meanRttMicros         the sender's smoothed round-trip time, averaged over the run ({@code end.streams[i].sender.mean_rtt},
 *                              from TCP_INFO) and then over the streams; NaN when iperf3 reports it for none
 * @param streams               how many streams the report has
 */
public record TcpResult(double receivedBitsPerSecond, double seconds, long retransmits, double meanRttMicros, int streams) {

    /** Gbit/s, decimal (10^9), as iperf3 prints. */
    public double gigabitsPerSecond() {
        return receivedBitsPerSecond / 1e9;
    }

    /**
     * Parses iperf3's {@code -J} output.
     *
     * @throws IllegalArgumentException when the report holds an error or lacks the summary
     */
    @SuppressWarnings("unchecked")
    public static TcpResult parseIperfJson(String json) {
        Object parsed = Json.parse(json.strip());
        if (!(parsed instanceof Map<?, ?> root)) {
            throw new IllegalArgumentException("iperf3 report is not a JSON object");
        }
        if (root.get("error") != null) {
            throw new IllegalArgumentException("iperf3 failed: " + root.get("error"));
        }
        Map<String, Object> end = (Map<String, Object>) root.get("end");
        if (end == null || !(end.get("sum_received") instanceof Map<?, ?> received) || !(end.get("sum_sent") instanceof Map<?, ?> sent)) {
            throw new IllegalArgumentException("iperf3 report has no end.sum_received / end.sum_sent");
        }
        return new TcpResult(number(received, "bits_per_second"), number(received, "seconds"),
                sent.get("retransmits") == null ? 0 : (long) number(sent, "retransmits"), meanRtt(end),
                end.get("streams") instanceof List<?> streams ? streams.size() : 0);
    }

    /**
     * The mean of the streams' {@code sender.mean_rtt}: every stream of {@code -P N} crosses the same router, so each
     * one's mean is a sample of the path's delay; a stream without one is left out.
     */
    private static double meanRtt(Map<String, Object> end) {
        if (!(end.get("streams") instanceof List<?> streams)) {
            return Double.NaN;
        }
        double sum = 0;
        int count = 0;
        for (Object stream : streams) {
            if (stream instanceof Map<?, ?> s && s.get("sender") instanceof Map<?, ?> sender
                    && sender.get("mean_rtt") instanceof Number rtt) {
                sum += rtt.doubleValue();
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    private static double number(Map<?, ?> map, String key) {
        if (!(map.get(key) instanceof Number value)) {
            throw new IllegalArgumentException("iperf3 report lacks the number " + key);
        }
        return value.doubleValue();
    }
}
