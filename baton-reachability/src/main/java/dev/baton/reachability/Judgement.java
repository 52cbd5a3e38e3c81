package dev.baton.reachability;

import java.util.List;

/**
 * The active RM's answer for one VIP at one moment (FIG. 4): the routers in order, best first, and the router
 * to hand the VIP to, if any.
 *
 * @param order  the settled routers, best first (this router first among equals: an equal standby changes
 *               nothing, path 445)
 * @param handTo the router the active RM tells to take the VIP over (path 446, transition 345), or {@code null}
 * @param reason why, naming the elements that decided: for {@code ctl reachability} and the event that a hand-over logs
 */
public record Judgement(List<Ranked> order, String handTo, String reason) {

    public Judgement {
        order = List.copyOf(order);
    }

    /** Whether the active RM tells another router to take the VIP over. */
    public boolean handsOver() {
        return handTo != null;
    }

    /**
     * One router's place in the order.
     *
     * @param router      its name
     * @param self        whether it is this router (the active)
     * @param score       its score under the compare function
     * @param reachable   how many of its elements it reaches
     * @param elements    how many elements its set has
     * @param unreachable the elements it does not reach, by name ("-" when none)
     * @param betterForMs how long it has beaten the active by the margin; -1 when it does not
     * @param ready       whether it could take the VIP over now (always true for the active itself)
     */
    public record Ranked(String router, boolean self, Score score, int reachable, int elements, String unreachable,
                         long betterForMs, boolean ready) {
    }
}
