package dev.baton.ha;

import dev.baton.monitor.MonitorAction;

import java.util.List;

/**
 * What the parts of a VIP's high availability ({@link LiveHandover}, {@link StandbyCopy}) need from the agent
 * that runs them: carrying out a monitor's actions, and commanding the workers' replication shards.
 */
interface Conductor {
    /** Carries out a VIP monitor's actions. */
    void execute(VipUnit group, List<MonitorAction> actions, long nowMs);

    /** One command to every worker's replication shard (no allocation; they run it in their next duty cycle). */
    void toEveryShard(ShardCommands.Kind kind, int flags, int reason, int vipIndex, int peerIndex, long nowMs);
}
