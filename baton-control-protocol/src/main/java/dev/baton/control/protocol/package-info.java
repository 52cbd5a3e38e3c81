/**
 * The control socket's protocol, shared by the router's control server ({@code baton-control}), {@code baton ctl}
 * and the lab, which asks the routers it runs for their status: a request and its reply are each one JSON object
 * on one line ({@link dev.baton.control.protocol.Json}), and {@link dev.baton.control.protocol.ControlClient}
 * sends one command and returns its result.
 *
 * <p>Threads: stateless; a call blocks its caller until the router answers. Not on any packet path.
 */
package dev.baton.control.protocol;
