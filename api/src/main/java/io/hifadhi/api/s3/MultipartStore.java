package io.hifadhi.api.s3;

import io.hifadhi.api.auth.Grant;
import io.hifadhi.api.signature.ChecksumAlgorithm;
import io.hifadhi.api.store.ObjectChecksum;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable multipart uploads: parts are staged bodies recorded under an upload, and completing the
 * upload publishes one object whose content is the parts' content in order, without copying bytes.
 * Implemented by the node's store (parts and uploads survive restarts).
 */
public interface MultipartStore {

    /**
     * @param write             the object's future bucket, key, content type and metadata
     * @param checksumAlgorithm the checksum every part carries and the object gets (x-amz-checksum-algorithm), or null
     * @param checksumType      whether the object's checksum is of its whole body or of its parts' checksums; null
     *                          exactly when the algorithm is
     * @param publicRead        whether CreateMultipartUpload asked for a public object ACL, which the completed object's
     *                          record starts with
     */
    record Upload(String uploadId, ObjectWrite write, String owner, Instant initiated, ChecksumAlgorithm checksumAlgorithm,
                  ObjectChecksum.Type checksumType, boolean publicRead) {
        public Upload(String uploadId, ObjectWrite write, String owner, Instant initiated) {
            this(uploadId, write, owner, initiated, null, null, false);
        }

        public String bucket() {
            return write.bucket();
        }

        /** The same upload publishing an object that starts with these grants (its public-read ACL). */
        public Upload withGrants(List<Grant> grants) {
            return new Upload(uploadId, write.withGrants(grants), owner, initiated, checksumAlgorithm, checksumType, publicRead);
        }

        public String key() {
            return write.key();
        }
    }

    /**
     * @param etag     lower-case hex MD5 of the part, unquoted
     * @param checksum the part's checksum (verified as it arrived), or null when it has none
     */
    record Part(int number, long size, String etag, Instant lastModified, ObjectChecksum checksum) {
        public Part(int number, long size, String etag, Instant lastModified) {
            this(number, size, etag, lastModified, null);
        }
    }

    /**
     * Starts an upload whose object gets a checksum of this algorithm and type (both null for none), and a public
     * object ACL at completion when {@code publicRead}.
     */
    Upload create(ObjectWrite write, String owner, ChecksumAlgorithm checksumAlgorithm, ObjectChecksum.Type checksumType,
                  boolean publicRead) throws IOException;

    default Upload create(ObjectWrite write, String owner) throws IOException {
        return create(write, owner, null, null, false);
    }

    Optional<Upload> upload(String bucket, String key, String uploadId) throws IOException;

    /** Records a staged body as part {@code number} with its checksum (or null), replacing an earlier part with that number. */
    Part putPart(Upload upload, int number, StagedBody body, ObjectChecksum checksum) throws IOException;

    default Part putPart(Upload upload, int number, StagedBody body) throws IOException {
        return putPart(upload, number, body, null);
    }

    /** The upload's parts in number order. */
    List<Part> parts(Upload upload) throws IOException;

    /**
     * Publishes the named parts, in this order, as the upload's object with the given ETag and checksum (or null),
     * keeping the part boundaries, and ends the upload. The caller has validated the list against {@link #parts}.
     */
    PutResult complete(Upload upload, List<Integer> partNumbers, String etag, ObjectChecksum checksum) throws IOException;

    void abort(Upload upload) throws IOException;

    /**
     * How many uploads {@code owner} has open, in all buckets, counting up to {@code atMost} (then it
     * stops): a scan of the open uploads, for the quota check of a new one.
     */
    int openUploads(String owner, int atMost) throws IOException;

    /** Uploads in a bucket with keys starting with prefix, by key then initiation, after the markers. */
    List<Upload> list(String bucket, String prefix, String keyMarker, String uploadIdMarker, int max) throws IOException;
}
