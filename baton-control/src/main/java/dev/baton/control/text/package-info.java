/** Rendering of control results: JSON for scripts ({@code --json}) and text for people. Control thread only. */
package dev.baton.control.text;
