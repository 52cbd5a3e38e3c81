/**
 * The local control socket: a Unix stream socket speaking one JSON object per line. The server runs on its
 * own thread plus one virtual thread per client; handlers reach workers only through their command queues.
 */
package dev.baton.control.socket;
