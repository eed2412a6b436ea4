package io.hifadhi.node.replication;

/**
 * Where the move of data after a layout change stands, as one node sees it.
 *
 * @param changing          whether a layout change is under way (some owner has not confirmed the newest ring)
 * @param ownersConfirmed   owners that confirmed they hold all they own under the newest ring
 * @param owners            owners in the newest ring
 * @param chunksToReceive   chunks this node owns and has not fetched yet (as of its last pass)
 * @param bytesToReceive    their bytes
 * @param entriesToHandOver records and chunks this node holds but no longer owns (as of its last pass)
 * @param bytesToHandOver   the chunks' bytes among them
 * @param bytesReceived     chunk bytes fetched as a new or repairing owner since this node started
 * @param bytesHandedOver   chunk bytes pushed to owners when handing over, since this node started
 * @param bytesPerSecond    recent rate of both together
 */
public record TransferStatus(boolean changing, int ownersConfirmed, int owners, long chunksToReceive, long bytesToReceive,
                             long entriesToHandOver, long bytesToHandOver, long bytesReceived, long bytesHandedOver,
                             double bytesPerSecond) {

    /** Seconds until this node's part is done at the recent rate; -1 when unknown (nothing moving yet). */
    public long etaSeconds() {
        long left = bytesToReceive + bytesToHandOver;
        if (left == 0) {
            return 0;
        }
        return bytesPerSecond < 1 ? -1 : (long) Math.ceil(left / bytesPerSecond);
    }
}
