/**
 * Benchmarks: JMH micro-benchmarks ({@code jmh}) and lab benchmarks that run Baton and the Linux kernel's
 * forwarding over the same lab path in one run ({@code lab}). Figures and commands: docs/benchmarks.md.
 */
package dev.baton.bench;
