package io.hifadhi.api.nativeapi;

import java.io.IOException;
import java.util.List;

/**
 * The cluster layout behind {@code /api/v1/cluster}: which nodes own a share of the ring, the move of data under
 * way, and the explicit changes (leave, remove). The node implements it; the api module only shows and forwards.
 */
public interface ClusterAdmin {

    /**
     * One node in the layout.
     *
     * @param role      MEMBER, LEAVING or REMOVED
     * @param confirmed whether it confirmed holding all it owns under the newest ring
     */
    record LayoutEntry(String id, String role, String zone, long capacity, boolean confirmed) {
    }

    /**
     * The move of data after a layout change, as the asked node sees it.
     *
     * @param changing     whether some owner has not yet confirmed the newest ring
     * @param etaSeconds   the asked node's estimate for its own part; -1 when unknown
     * @param holdsData    whether the asked node still holds an object record or an inventory chunk
     * @param holdsHints   whether the asked node keeps hints for other nodes, not yet delivered; a leaving node exits
     *                     once the change is done and it holds neither data nor hints (a yes or no: this status is
     *                     read on every /metrics scrape, and counting hints walks them all)
     */
    record Rebalance(boolean changing, int ownersConfirmed, int owners, long chunksToReceive, long bytesToReceive,
                     long entriesToHandOver, long bytesToHandOver, long bytesReceived, long bytesHandedOver,
                     double bytesPerSecond, boolean holdsData, boolean holdsHints) {

        /** Seconds until the asked node's part is done at the recent rate; -1 when unknown (nothing moving yet). */
        public long etaSeconds() {
            long left = bytesToReceive + bytesToHandOver;
            if (left == 0) {
                return 0;
            }
            return bytesPerSecond < 1 ? -1 : (long) Math.ceil(left / bytesPerSecond);
        }
    }

    /**
     * An object this node spreads because it is read hot (or was asked to cache), with its extra copies.
     *
     * @param copies        extra copies asked for beyond its N replicas
     * @param chunks        chunks spread (a huge object spreads its first ones only)
     * @param holders       nodes that hold an extra copy of at least one of those chunks
     * @param hotUntilMillis when it stops counting as hot unless it is read hot again
     */
    record HotObject(String bucket, String key, int copies, int chunks, List<String> holders, long hotUntilMillis) {
        public HotObject {
            holders = List.copyOf(holders);
        }
    }

    List<LayoutEntry> layout();

    /** The objects this node spreads now, sorted by bucket and key. */
    List<HotObject> hotObjects();

    Rebalance rebalance();

    /**
     * This node leaves: out of the ring, hands its data over, then the process exits.
     *
     * @throws IllegalStateException when the ring would keep fewer owners than copies
     */
    void leave() throws IOException;

    /**
     * Removes node {@code id} for good; its copies are re-created from the ones that remain.
     *
     * @throws IllegalArgumentException when no such node is in the layout
     * @throws IllegalStateException    when the node is reachable (it should leave instead, keeping its copies useful),
     *                                  or the ring would keep fewer owners than copies
     */
    void remove(String id) throws IOException;
}
