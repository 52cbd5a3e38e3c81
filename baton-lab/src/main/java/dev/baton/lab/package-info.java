/** See docs/architecture.md. */
package dev.baton.lab;
