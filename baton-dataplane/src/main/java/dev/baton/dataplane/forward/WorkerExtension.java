package dev.baton.dataplane.forward;

import dev.baton.dataplane.service.ServiceMap;

import dev.baton.table.ConnectionListener;

/**
 * Work that belongs to one worker's thread besides forwarding: table replication (the synchronization
 * manager's per-shard half, {@code baton-ha}) runs here because a connection table shard may only be
 * touched by its worker. It hears every change of the shard's table ({@link ConnectionListener}, after the
 * worker's own bookkeeping) and gets a slice of every duty cycle.
 *
 * <p>Implementations must not block and must not allocate per packet: the listener calls come from the
 * forwarding path.
 */
public interface WorkerExtension extends ConnectionListener {

    /** No extension: nothing runs, every change is ignored. */
    WorkerExtension NONE = new WorkerExtension() {
        @Override
        public void attach(Forwarder forwarder) {
        }

        @Override
        public int doWork(long nowMs) {
            return 0;
        }

        @Override
        public void onInsert(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                             int serviceId, int serverId, int state, long nowMs) {
        }

        @Override
        public void onStateChange(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                                  int serviceId, int serverId, int oldState, int newState, long nowMs) {
        }

        @Override
        public void onRemove(int protocol, int clientAddress, int clientPort, int vip, int vipPort,
                             int serviceId, int serverId, int state, int reason) {
        }
    };

    /** Called once, on the building thread, when the worker is built and before it starts. */
    void attach(Forwarder forwarder);

    /**
     * A reload gave the worker {@code services} (its ids moved as {@code Forwarder#reconfigure} says); the extension
     * checks and names what it handles by them from now on. On the worker's thread, between two duty cycles.
     */
    default void reconfigure(ServiceMap services) {
    }

    /**
     * One slice of the worker's duty cycle, on the worker's thread.
     *
     * @return work done; 0 lets the worker idle
     */
    int doWork(long nowMs);
}
