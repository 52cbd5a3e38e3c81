/**
 * Notify scripts: the operator's script run on every state change of a VIP (FIG. 3 of US 6,148,410), as keepalived
 * runs {@code notify_master}, {@code notify_backup} and {@code notify_fault} for VRRP ({@code notify.on-state-change},
 * docs/configuration.md; docs/operations.md, "Notify scripts").
 *
 * <p>{@link dev.baton.ha.notify.NotifyHook} takes each {@link dev.baton.ha.notify.StateChange} from the HA agent's
 * thread into a bounded queue without ever waiting (full: dropped and counted), and its own thread,
 * {@code baton-notify}, runs the script once per change, one at a time and in order, each run bounded by the
 * configured timeout. Processes are started through a {@link dev.baton.ha.notify.ScriptLauncher}:
 * {@link dev.baton.ha.notify.ProcessScriptLauncher} in a router, a fake in the unit tests (which then drive the queue
 * by hand with {@link dev.baton.ha.notify.NotifyHook#runPending()}).
 *
 * <p>Threads: {@code stateChanged} on the agent thread; everything else of a run on {@code baton-notify}; the counters
 * are atomic, read by any thread.
 */
package dev.baton.ha.notify;
