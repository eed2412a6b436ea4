package io.hifadhi.api.auth;

import java.util.List;
import java.util.Objects;

/**
 * Who may read an object besides the keys and policies of its bucket, as its record holds it: its IP grants, and its S3
 * object ACL's other grants (AllUsers READ is grants to every address; the rest is the ACL's stored form, "" for none).
 * Both belong to the object's current body and change together, as one new version of its record.
 */
public record ObjectAccess(List<Grant> grants, String acl) {
    public ObjectAccess {
        grants = List.copyOf(grants);
        Objects.requireNonNull(acl, "acl");
    }

    public ObjectAccess withGrants(List<Grant> newGrants) {
        return new ObjectAccess(newGrants, acl);
    }
}
