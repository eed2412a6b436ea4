package io.hifadhi.membership;

/**
 * Receives view changes, one at a time and in order, on the membership thread: do not block in it (hand work to
 * your own executor).
 */
@FunctionalInterface
public interface MembershipListener {
    void onEvent(MembershipEvent event);
}
