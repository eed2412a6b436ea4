package io.hifadhi.api.store;

/** Bytes already stored durably by {@link ObjectStore#stage} but not yet visible under any key. */
public interface StagedBody {
    long size();

    /** Lower-case hex MD5 of the whole body (the S3 ETag of a single-part upload). */
    String md5Hex();
}
