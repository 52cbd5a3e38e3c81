/**
 * The XDP fast path (issue #10): the eBPF program that forwards frames of established flows in the driver
 * ({@code src/main/c/baton_xdp.c}, compiled by clang during the build and shipped in this jar), its maps' layouts,
 * and libbpf bound through the FFM API to load it, fill its maps and attach it. The Java forwarder stays the
 * authority: it decides every connection and tells the program which flows it may forward.
 */
package dev.baton.xdp;
