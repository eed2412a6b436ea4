package io.hifadhi.api.auth;

/** What a native API request wants to do; an {@link AccessPolicy} decides per operation. */
public enum NativeOperation {
    STORE, RETRIEVE, STREAM,
    /** Reading the member list: an admin operation. */
    CLUSTER
}
