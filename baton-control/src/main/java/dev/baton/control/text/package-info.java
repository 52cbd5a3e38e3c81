/**
 * Rendering of control results as text for people; scripts get the results as JSON ({@code --json}, written by
 * {@link dev.baton.control.protocol.Json}). Control thread only.
 */
package dev.baton.control.text;
