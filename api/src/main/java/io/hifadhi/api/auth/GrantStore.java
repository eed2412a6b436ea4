package io.hifadhi.api.auth;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where IP grants live. Object grants are part of the object's record (they replicate with it and
 * end with it: an overwrite or delete starts with none); prefix grants live in a small table every
 * node holds. The node supplies the implementation.
 */
public interface GrantStore {

    /** The object's own grants (expired ones included) and ACL, or empty when there is no such object. */
    Optional<ObjectAccess> objectAccess(String bucket, String key) throws IOException;

    /** The object's own grants (expired ones included), or empty when there is no such object. */
    default Optional<List<Grant>> objectGrants(String bucket, String key) throws IOException {
        return objectAccess(bucket, key).map(ObjectAccess::grants);
    }

    /**
     * Adds (or, for the same network, replaces) a grant on the current version of the object, as a
     * new version of its record. Returns the object's grants afterwards, or empty when there is no such object.
     */
    Optional<List<Grant>> grantObject(String bucket, String key, Grant grant) throws IOException;

    /**
     * Replaces the object's grants and ACL with {@code change} applied to them, as one new version of its record (an
     * S3 object ACL is set this way). Returns them afterwards, or empty when there is no such object.
     */
    Optional<ObjectAccess> updateObject(String bucket, String key, java.util.function.UnaryOperator<ObjectAccess> change)
            throws IOException;

    /** Removes the object's grant for exactly {@code network}. Returns whether one was there (empty: no such object). */
    Optional<Boolean> revokeObject(String bucket, String key, Cidr network) throws IOException;

    /** Prefix grants of a bucket (expired ones included). */
    List<GrantPrefix> prefixGrants(String bucket) throws IOException;

    /** Adds (or, for the same bucket, prefix and network, replaces) a prefix grant. */
    void grantPrefix(GrantPrefix grant) throws IOException;

    /** Removes the prefix grant for exactly this bucket, prefix and network; whether one was there. */
    boolean revokePrefix(String bucket, String prefix, Cidr network) throws IOException;
}
