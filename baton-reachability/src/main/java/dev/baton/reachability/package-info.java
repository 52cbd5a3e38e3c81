/**
 * The patent's reach-ability manager (RM 230; US 6,148,410 FIG. 4, FIG. 6, claims 1, 2, 9 and 13). Every
 * router probes its <em>reachability set</em> (the hosts and subnets it must reach: previous-hop routers,
 * servers, server subnets) and sends its <em>current reachability state</em> (which of them answer) to its
 * peers. The RM on the active router of a VIP (the active RM) orders the routers with a configurable
 * {@link dev.baton.reachability.CompareFunction} and, when a synchronized standby has been strictly better by
 * a margin for a hold time, tells it to take the VIP over (transition 345, the same loss-free hand-over as an
 * operator's switch-over); an equal or worse standby changes nothing (FIG. 4, path 445).
 *
 * <p>Pure: {@link dev.baton.reachability.ReachabilityJudge} takes reports with their time and returns a
 * {@link dev.baton.reachability.Judgement}, so tests step a clock.
 */
package dev.baton.reachability;
