/**
 * Lab acceptance tests: real clients (curl, python), an upstream router with kernel forwarding, real
 * `baton run` processes on AF_PACKET rings, and real servers (nginx, an echo/stream server) in network
 * namespaces built by baton-lab. Tagged "lab"; they skip with a stated reason when not run as root.
 */
package dev.baton.acceptance;
