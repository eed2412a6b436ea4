package io.hifadhi.api.s3;

import java.util.Map;

/**
 * A bucket's Public Access Block, with S3's meaning: BlockPublicAcls refuses (403) any request that would set a public
 * ACL (AllUsers or AuthenticatedUsers grants, an object's public-read); IgnorePublicAcls makes public ACLs count for
 * nothing (objects' grants to every address included); BlockPublicPolicy refuses a public bucket policy;
 * RestrictPublicBuckets makes a public policy open nothing to anonymous requests.
 */
public record PublicAccessBlock(boolean blockPublicAcls, boolean ignorePublicAcls, boolean blockPublicPolicy,
                                boolean restrictPublicBuckets) {
    /** No block: what a bucket without a configuration has. */
    public static final PublicAccessBlock NONE = new PublicAccessBlock(false, false, false, false);
    private static final String[] FIELDS = {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"};

    /** A PublicAccessBlockConfiguration document; absent fields are false, as on S3. */
    static PublicAccessBlock fromXml(XmlElement root) throws S3Exception {
        if (!root.name().equals("PublicAccessBlockConfiguration")) {
            throw new S3Exception(S3Error.MalformedXML, "The body must be a PublicAccessBlockConfiguration document.");
        }
        boolean[] v = new boolean[FIELDS.length];
        for (XmlElement child : root.children()) {
            int i = java.util.Arrays.asList(FIELDS).indexOf(child.name());
            if (i < 0) {
                throw new S3Exception(S3Error.MalformedXML, "Unknown element " + AccessControlList.clip(child.name())
                        + " in PublicAccessBlockConfiguration (" + String.join(", ", FIELDS) + ").");
            }
            if (!child.text().equals("true") && !child.text().equals("false")) {
                throw new S3Exception(S3Error.MalformedXML, child.name() + " must be true or false, not '"
                        + AccessControlList.clip(child.text()) + "'.");
            }
            v[i] = child.text().equals("true");
        }
        return new PublicAccessBlock(v[0], v[1], v[2], v[3]);
    }

    /** The stored (and answered) document; null reads as {@link #NONE}. */
    static PublicAccessBlock of(String stored) {
        if (stored == null) {
            return NONE;
        }
        return new PublicAccessBlock(stored.contains("<BlockPublicAcls>true"), stored.contains("<IgnorePublicAcls>true"),
                stored.contains("<BlockPublicPolicy>true"), stored.contains("<RestrictPublicBuckets>true"));
    }

    String toXml() {
        return XmlWriter.document("PublicAccessBlockConfiguration").element("BlockPublicAcls", blockPublicAcls)
                .element("IgnorePublicAcls", ignorePublicAcls).element("BlockPublicPolicy", blockPublicPolicy)
                .element("RestrictPublicBuckets", restrictPublicBuckets).finish();
    }

    /** Refuses a request that would make something public while BlockPublicAcls is on. */
    void refusePublicAcl(String bucket, boolean isPublic) throws S3Exception {
        if (blockPublicAcls && isPublic) {
            throw new S3Exception(S3Error.AccessDenied, "Access Denied: the Public Access Block of bucket '"
                    + AccessControlList.clip(bucket) + "' (BlockPublicAcls) refuses public ACLs.", Map.of());
        }
    }
}
