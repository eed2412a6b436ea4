package io.hifadhi.membership;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * Counters of this node's membership traffic and verdicts, for {@code /metrics}. Traffic counts the messages of
 * Hifadhi's membership protocol on the cluster port (pings and their answers, identity proofs, joins, departures),
 * payload bytes only; Atomix SWIM's own dissemination of metadata is not in it.
 */
public final class MembershipStats {
    private final LongAdder suspicions = new LongAdder();
    private final LongAdder refutations = new LongAdder();
    private final LongAdder messagesSent = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder messagesReceived = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private volatile LongConsumer pingRoundTrips = nanos -> { };

    /** Times a reachable member was declared unreachable. */
    public long suspicions() {
        return suspicions.sum();
    }

    /** Times an unreachable member answered again, proving the suspicion wrong or the outage over. */
    public long refutations() {
        return refutations.sum();
    }

    public long messagesSent() {
        return messagesSent.sum();
    }

    public long bytesSent() {
        return bytesSent.sum();
    }

    public long messagesReceived() {
        return messagesReceived.sum();
    }

    public long bytesReceived() {
        return bytesReceived.sum();
    }

    /** Receives the round-trip time, in nanoseconds, of every answered ping (set once, by whoever exports it). */
    public void onPingRoundTrip(LongConsumer observer) {
        this.pingRoundTrips = observer;
    }

    void suspected() {
        suspicions.increment();
    }

    void refuted() {
        refutations.increment();
    }

    void sent(int bytes) {
        messagesSent.increment();
        bytesSent.add(bytes);
    }

    void received(int bytes) {
        messagesReceived.increment();
        bytesReceived.add(bytes);
    }

    void pingAnswered(long roundTripNanos) {
        pingRoundTrips.accept(roundTripNanos);
    }
}
