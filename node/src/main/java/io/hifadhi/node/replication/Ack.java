package io.hifadhi.node.replication;

/**
 * A node's answer to a copy of a write (a record, a chunk, a table entry) sent to it: the message of
 * {@link Messages#TYPES} the record and chunk puts reply with, and what every {@link Table} replica answers, whichever
 * way it was reached. Public for the tables outside this package that reach their peers by their own messages.
 *
 * @param applied      whether the copy was stored (false: the version held was at least as new)
 * @param previousLive whether a live version was held before
 */
public record Ack(boolean applied, boolean previousLive) {
}
