package io.hifadhi.api.s3;

/** The S3 error codes the S3 handlers answer with (beyond the signature package's), with S3's status. */
public enum S3Error {
    AccessDenied(403),
    AccessForbidden(403),
    BadDigest(400),
    BucketAlreadyExists(409),
    BucketAlreadyOwnedByYou(409),
    BucketNotEmpty(409),
    EntityTooLarge(400),
    EntityTooSmall(400),
    IncompleteBody(400),
    InternalError(500),
    RequestHeaderSectionTooLarge(400),
    /** Not an AWS code (S3 never fills up); MinIO answers a full disk with 507 as well. */
    InsufficientStorage(507),
    InvalidArgument(400),
    InvalidBucketName(400),
    InvalidDigest(400),
    InvalidPart(400),
    InvalidPartNumber(416),
    InvalidPolicyDocument(400),
    InvalidPartOrder(400),
    InvalidRange(416),
    InvalidRequest(400),
    InvalidTag(400),
    InvalidURI(400),
    KeyTooLongError(400),
    MalformedACLError(400),
    MalformedPOSTRequest(400),
    MalformedPolicy(400),
    MalformedXML(400),
    MetadataTooLarge(400),
    MethodNotAllowed(405),
    MissingContentLength(411),
    NoSuchBucket(404),
    NoSuchBucketPolicy(404),
    NoSuchCORSConfiguration(404),
    NoSuchKey(404),
    NoSuchLifecycleConfiguration(404),
    NoSuchTagSet(404),
    NoSuchPublicAccessBlockConfiguration(404),
    NoSuchUpload(404),
    NotImplemented(501),
    PreconditionFailed(412),
    ServerSideEncryptionConfigurationNotFoundError(404),
    ServiceUnavailable(503),
    SlowDown(503),
    TooManyBuckets(400),
    UnexpectedContent(400),
    /** Not an AWS code (S3 sets no such limit): too many multipart uploads open for one object key. */
    TooManyUploads(400);

    private final int status;

    S3Error(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }
}
