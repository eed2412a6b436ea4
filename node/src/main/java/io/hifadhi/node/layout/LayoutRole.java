package io.hifadhi.node.layout;

/** What a node is in the cluster layout. Only explicit changes move a node between roles, never a failure detector's verdict. */
public enum LayoutRole {
    /** Owns its share of the ring. */
    MEMBER,
    /** Asked to leave ({@code hifadhi node leave}): out of the ring, hands its data over, then departs. */
    LEAVING,
    /** Gone for good (left, or removed by an operator or by --dead-after): its share was re-replicated. */
    REMOVED
}
