package io.hifadhi.api.s3;

/** Finds what an access key may do; the node backs it with its access key table. */
@FunctionalInterface
public interface PermissionLookup {
    /** Every key is root: a node with only bootstrap keys, as before per-key permissions existed. */
    PermissionLookup ALL_ROOT = accessKeyId -> Permissions.ROOT;

    /** {@link Permissions#NONE} for a key that is unknown (or was just deleted). */
    Permissions of(String accessKeyId);
}
