package io.hifadhi.api.store;

import java.util.Locale;

/**
 * Recognises a full data disk. Writes then fail before anything becomes visible, reads go on, and
 * writes work again as soon as there is space; the HTTP layer answers 507 Insufficient Storage.
 */
public final class DiskFull {
    private DiskFull() {
    }

    /**
     * Whether a failure, anywhere in its cause chain, is the operating system saying the disk (or
     * the quota) is full. Chunk files, RocksDB and temp files all report it only as text.
     */
    public static boolean causedBy(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null) {
                String m = message.toLowerCase(Locale.ROOT);
                if (m.contains("no space left on device") || m.contains("disk quota exceeded") || m.contains("enospc")) {
                    return true;
                }
            }
        }
        return false;
    }
}
