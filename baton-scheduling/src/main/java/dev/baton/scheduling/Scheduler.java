package dev.baton.scheduling;

/**
 * Chooses the server for a new connection. One instance per service: implementations may keep state
 * about the server set they select from (a round-robin position), so an instance must always be given the
 * same set. Called on the forwarding path: allocation-free, no locks.
 */
public interface Scheduler {

    /**
     * @param servers       the service's servers
     * @param clientAddress the client's IPv4 address (for algorithms that hash it; the weighted ones ignore it)
     * @param nowMs         the current time (for algorithms that age state; the weighted ones ignore it)
     * @return the chosen server's index, or -1 when no server is available with a weight above zero
     */
    int select(ServerSet servers, int clientAddress, long nowMs);

    /**
     * The server {@link #select} would choose now, without changing any state: the oracle's answer to
     * "where would a new connection go?" ({@code baton ctl lookup}).
     */
    int peek(ServerSet servers, int clientAddress, long nowMs);
}
