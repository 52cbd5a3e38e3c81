/**
 * Server health checks and the probes of the reachability set, run by one {@link dev.baton.probe.ProbeEngine} on a
 * thread of their own: a server's verdict goes on the {@link dev.baton.dataplane.service.ServerHealthBoard} the
 * workers schedule by; an element's goes to the reach-ability manager (RM 230) through a feed.
 */
package dev.baton.dataplane.health;
