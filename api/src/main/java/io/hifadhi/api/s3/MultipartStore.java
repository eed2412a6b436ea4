package io.hifadhi.api.s3;

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
     * @param write      the object's future bucket, key, content type and metadata
     * @param publicRead whether CreateMultipartUpload asked for a public object ACL, which Complete applies
     */
    record Upload(String uploadId, ObjectWrite write, String owner, Instant initiated, boolean publicRead) {
        public Upload(String uploadId, ObjectWrite write, String owner, Instant initiated) {
            this(uploadId, write, owner, initiated, false);
        }

        public String bucket() {
            return write.bucket();
        }

        public String key() {
            return write.key();
        }
    }

    /** @param etag lower-case hex MD5 of the part, unquoted */
    record Part(int number, long size, String etag, Instant lastModified) {
    }

    Upload create(ObjectWrite write, String owner, boolean publicRead) throws IOException;

    Optional<Upload> upload(String bucket, String key, String uploadId) throws IOException;

    /** Records a staged body as part {@code number}, replacing an earlier part with that number. */
    Part putPart(Upload upload, int number, StagedBody body) throws IOException;

    /** The upload's parts in number order. */
    List<Part> parts(Upload upload) throws IOException;

    /**
     * Publishes the named parts, in this order, as the upload's object with the given ETag, and ends
     * the upload. The caller has validated the list against {@link #parts}.
     */
    PutResult complete(Upload upload, List<Integer> partNumbers, String etag) throws IOException;

    void abort(Upload upload) throws IOException;

    /** Uploads in a bucket with keys starting with prefix, by key then initiation, after the markers. */
    List<Upload> list(String bucket, String prefix, String keyMarker, String uploadIdMarker, int max) throws IOException;
}
