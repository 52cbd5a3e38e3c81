/**
 * Running real {@code baton run} processes in lab namespaces ({@link dev.baton.control.lab.LabRouter}): used by
 * the demo, the acceptance tests and the lab benchmarks.
 */
package dev.baton.control.lab;
