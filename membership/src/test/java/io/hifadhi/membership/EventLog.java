package io.hifadhi.membership;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Listener that remembers every event with the monotonic time it arrived. */
final class EventLog implements MembershipListener {

    record Seen(long nanos, MembershipEvent event) {
    }

    private final List<Seen> seen = new ArrayList<>();

    @Override
    public synchronized void onEvent(MembershipEvent event) {
        seen.add(new Seen(System.nanoTime(), event));
    }

    /** First event of this type about this member at or after {@code sinceNanos}. */
    synchronized Optional<Seen> first(MembershipEvent.Type type, String memberId, long sinceNanos) {
        return seen.stream()
                .filter(s -> s.nanos() >= sinceNanos && s.event().type() == type
                        && s.event().member().id().equals(memberId))
                .findFirst();
    }

    synchronized boolean any(String memberId) {
        return seen.stream().anyMatch(s -> s.event().member().id().equals(memberId));
    }
}
