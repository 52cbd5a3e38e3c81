package dev.baton.table;

import java.util.ArrayList;
import java.util.List;

/** Records every change-stream event of either table as a readable line, in order. */
final class RecordingListener implements ConnectionListener, PersistenceListener {

    final List<String> events = new ArrayList<>();

    @Override
    public void onInsert(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                         int serviceId, int serverId, int state, long lastSeenMs) {
        events.add("insert " + key(protocol, clientAddress, clientPort, vip, vipPort)
                + " service " + serviceId + " server " + serverId + " " + TcpState.name(state) + " at " + lastSeenMs);
    }

    @Override
    public void onStateChange(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                              int serviceId, int serverId, int oldState, int newState, long nowMs) {
        events.add("state " + key(protocol, clientAddress, clientPort, vip, vipPort)
                + " " + TcpState.name(oldState) + " -> " + TcpState.name(newState) + " at " + nowMs);
    }

    @Override
    public void onRemove(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                         int serviceId, int serverId, int state, int reason) {
        events.add("remove " + key(protocol, clientAddress, clientPort, vip, vipPort)
                + " server " + serverId + " " + TcpState.name(state) + " " + RemovalReason.label(reason));
    }

    @Override
    public void onPut(int serviceId, int clientAddress, int serverId, long lastUsedMs, int timeoutMs) {
        events.add("put " + serviceId + "/" + Integer.toHexString(clientAddress) + " server " + serverId
                + " at " + lastUsedMs + " timeout " + timeoutMs);
    }

    @Override
    public void onRemove(int serviceId, int clientAddress, int serverId, int reason) {
        events.add("remove " + serviceId + "/" + Integer.toHexString(clientAddress) + " server " + serverId
                + " " + RemovalReason.label(reason));
    }

    List<String> drain() {
        List<String> copy = List.copyOf(events);
        events.clear();
        return copy;
    }

    private static String key(int protocol, int clientAddress, int clientPort, int vip, int vipPort) {
        return protocol + " " + Integer.toHexString(clientAddress) + ":" + clientPort
                + " > " + Integer.toHexString(vip) + ":" + vipPort;
    }
}
