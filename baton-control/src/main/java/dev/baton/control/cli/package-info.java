/** The {@code baton} command line (picocli): run, check, ctl, lab, demo. Exit codes: 0 ok, 1 failure, 2 invalid input. */
package dev.baton.control.cli;
