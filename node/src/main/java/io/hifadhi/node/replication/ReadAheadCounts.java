package io.hifadhi.node.replication;

/**
 * What cluster reads' read-ahead did since the node started: chunks used as fetched ahead, chunks whose fetch ahead
 * failed and that were fetched again when the reader reached them, chunks not fetched ahead (the budget was spent, or
 * the chunk was in the cache), and the read-ahead memory held now.
 */
public record ReadAheadCounts(long used, long refetched, long declined, long bytesHeld) {
}
