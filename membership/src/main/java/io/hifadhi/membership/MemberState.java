package io.hifadhi.membership;

/** Lifecycle state a member gossips about itself. */
public enum MemberState {
    /** Started, not yet serving (e.g. still receiving its ranges). */
    JOINING,
    /** Serving. */
    UP,
    /** Asked to leave; drains, then departs. */
    LEAVING
}
