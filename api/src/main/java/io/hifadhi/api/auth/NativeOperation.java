package io.hifadhi.api.auth;

/** What a native API request wants to do; an {@link AccessPolicy} decides per operation. */
public enum NativeOperation {
    /** POST /api/v1/store (query null) or PUT /api/v1/store/&lt;query&gt;. */
    STORE, RETRIEVE, STREAM,
    /** Reading the member list or locating objects: an admin operation. */
    CLUSTER,
    /** Minting presigned links: only for holders of the cluster secret. */
    PRESIGN,
    /** Adding, revoking and listing IP grants: only for holders of the cluster secret. */
    GRANT,
    /** File and directory management (info, delete, copy, move, list, create and remove directories): only for holders of the cluster secret. */
    FILES
}
