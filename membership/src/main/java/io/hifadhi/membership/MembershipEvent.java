package io.hifadhi.membership;

import java.util.Objects;

/**
 * A change in this node's view.
 *
 * @param type   what happened
 * @param member the member after the change (for LEFT and FORGOTTEN: its last known entry)
 * @param view   the whole view right after the change
 */
public record MembershipEvent(Type type, Member member, ClusterView view) {

    public enum Type {
        /** A member proved the secret and appeared in the view (also after a restart under a new incarnation). */
        JOINED,
        /** Its metadata (state, used bytes, load, ...) or incarnation changed. */
        UPDATED,
        /** Our failure detector lost it (crash, hang, partition). */
        UNREACHABLE,
        /** Our failure detector hears it again. */
        REACHABLE,
        /** It left gracefully. */
        LEFT,
        /** It was unreachable for longer than the configured forget-after and is dropped from the view. */
        FORGOTTEN
    }

    public MembershipEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(view, "view");
    }
}
