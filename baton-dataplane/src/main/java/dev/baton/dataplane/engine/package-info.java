/**
 * The data plane of one router process: {@link dev.baton.dataplane.engine.Dataplane} builds one forwarder
 * per worker thread with its ports and table shard and runs their duty cycles;
 * {@link dev.baton.dataplane.engine.Inspector} answers operators (stats, connections, the oracle) by
 * querying workers on their own threads. Time comes from an injected {@link dev.baton.agent.MillisClock}.
 */
package dev.baton.dataplane.engine;
