package io.hifadhi.node.replication;

/**
 * What cluster reads' read-ahead did since the node started: chunks taken as asked ahead, chunks whose ask ahead
 * failed or found no copy and that were asked again (failing over) when the reader reached them, chunks not asked
 * ahead (the budget was spent, the chunk was cached, or this node should hold it), and the chunk bytes asked ahead and
 * not yet taken now.
 */
public record ReadAheadCounts(long used, long refetched, long declined, long bytesHeld) {
}
