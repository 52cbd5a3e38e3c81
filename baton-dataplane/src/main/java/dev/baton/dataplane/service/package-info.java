/**
 * The services (the patent's VECs) flattened for the forwarding path
 * ({@link dev.baton.dataplane.service.ServiceMap}, immutable, shared by all workers) and which VIPs this
 * router owns now ({@link dev.baton.dataplane.service.VipOwnership}, written by control, read per packet).
 */
package dev.baton.dataplane.service;
