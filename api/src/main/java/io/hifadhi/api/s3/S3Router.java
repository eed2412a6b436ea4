package io.hifadhi.api.s3;

import io.hifadhi.api.http.PercentDecoder;
import io.hifadhi.api.signature.S3AuthException;
import io.hifadhi.api.signature.SecretLookup;
import io.hifadhi.api.signature.SigV4Verifier;
import io.hifadhi.api.signature.VerifiedRequest;
import io.hifadhi.api.store.CorruptDataException;
import io.hifadhi.api.store.DiskFull;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The S3 endpoint: finds bucket and key (path style, or virtual-host style under a configured
 * domain), authenticates with SigV4 or SigV2 (header or presigned), and dispatches to the
 * {@link S3Operation} the method and subresource select. Anything not implemented answers 501
 * NotImplemented, never a success that did not happen. Must run on a worker thread in blocking mode.
 */
public final class S3Router implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(S3Router.class);
    private static final HttpString REQUEST_ID = new HttpString("x-amz-request-id");
    private static final HttpString ID_2 = new HttpString("x-amz-id-2");
    /** 1000 lifecycle rules with long IDs and prefixes fit; the stored document travels in the bucket table's messages. */
    private static final int LIFECYCLE_BODY = 256 * 1024;
    /** Fifty tags of 128 + 256 characters, escaped, with room for the markup; far more elements than 50 tags have,
     * so a client sending too many hears InvalidTag's limit. */
    private static final int BUCKET_TAGGING_BODY = 256 * 1024;

    private final S3Services services;
    private final SigV4Verifier verifier;
    private final BucketHandlers buckets;
    private final GetObject getObject;
    private final PutObject putObject;
    private final CopyObject copyObject;
    private final ObjectTagging tagging;
    private final ObjectAttributes attributes;
    private final DeleteObjects deleteObjects;
    private final ListObjects listObjects;
    private final Multipart multipart;
    private final Cors cors;
    private final BucketDocument corsRules;
    /** Lifecycle rules; the node's expiry pass enforces them. */
    private final BucketDocument lifecycle;
    private final BucketDocument bucketTags;
    private final BucketDocument publicAccessBlock;
    /** Objects' IP grants and ACLs, kept in their records (null: no grants, objects are private). */
    private volatile GrantPolicy grants;
    private final AccessCheck access;
    private final BucketPolicies policies;
    private final PostObject postObject;
    /** Who the client is behind trusted proxies, for aws:SourceIp and aws:SecureTransport in bucket policies. */
    private volatile io.hifadhi.api.auth.ClientAddress clients = io.hifadhi.api.auth.ClientAddress.direct();
    private final Acls acls;
    private int maxHeaderBytes = Integer.MAX_VALUE;
    /** Requests a second per access key, from all its addresses together (null: no limit). */
    private io.hifadhi.api.http.RequestRate<String> keyRate;
    /** Requests open at once per access key, from all its addresses together (null: no limit). */
    private io.hifadhi.api.http.OpenRequests<String> keyOpenRequests;
    private final io.hifadhi.api.http.RefusalLog refusals = new io.hifadhi.api.http.RefusalLog(LOG);
    /** Bodies refused on the wire or by the aws-chunked decoder: their own budget of one WARN line a second. */
    private final io.hifadhi.api.http.RefusalLog bodyRefusals = new io.hifadhi.api.http.RefusalLog(LOG);
    private final AccessKeyLookup keys;

    @FunctionalInterface
    interface Operation {
        void handle(S3Request r) throws IOException, S3Exception;
    }

    public S3Router(S3Services services, SecretLookup secrets) {
        this(services, secrets, PermissionLookup.ALL_ROOT);
    }

    public S3Router(S3Services services, SecretLookup secrets, PermissionLookup permissions) {
        this(services, secrets, permissions, AccessKeyLookup.of(secrets, permissions));
    }

    /** @param keys the same answers as {@code secrets} and {@code permissions}, from one read: what each request uses */
    public S3Router(S3Services services, SecretLookup secrets, PermissionLookup permissions, AccessKeyLookup keys) {
        this.services = services;
        this.keys = keys;
        this.verifier = new SigV4Verifier(secrets, services.settings().region(), services.clock());
        this.policies = new BucketPolicies(services, () -> clients);
        this.access = new AccessCheck(services, permissions, () -> grants, policies);
        this.acls = new Acls(services, () -> grants == null ? null : grants.store());
        this.buckets = new BucketHandlers(services, acls);
        this.getObject = new GetObject(services);
        ConditionalWrites conditions = new ConditionalWrites(services.store());
        this.putObject = new PutObject(services, conditions, acls);
        this.copyObject = new CopyObject(services, acls);
        this.tagging = new ObjectTagging(services);
        this.attributes = new ObjectAttributes(services);
        this.deleteObjects = new DeleteObjects(services);
        this.listObjects = new ListObjects(services);
        this.multipart = new Multipart(services, conditions, acls);
        this.postObject = new PostObject(services, new io.hifadhi.api.signature.PostPolicySignature(secrets,
                services.settings().region()), access, acls);
        this.cors = new Cors(services);
        this.corsRules = cors.rules();
        this.lifecycle = new BucketDocument(services, new XmlReader(LIFECYCLE_BODY, 16 * LifecycleConfiguration.MAX_RULES + 10),
                root -> LifecycleConfiguration.parse(root).toXml(), BucketCatalog.Bucket::lifecycle, BucketCatalog::setLifecycle,
                S3Error.NoSuchLifecycleConfiguration, "lifecycle configuration");
        this.bucketTags = new BucketDocument(services, new XmlReader(BUCKET_TAGGING_BODY, 1000),
                ObjectTags::bucketDocument, BucketCatalog.Bucket::tagging, BucketCatalog::setTagging, S3Error.NoSuchTagSet,
                "TagSet");
        this.publicAccessBlock = new BucketDocument(services, new XmlReader(4096, 10),
                root -> PublicAccessBlock.fromXml(root).toXml(), BucketCatalog.Bucket::publicAccessBlock,
                (catalog, bucket, doc) -> catalog.update(bucket, b -> b.withPublicAccessBlock(doc)),
                S3Error.NoSuchPublicAccessBlockConfiguration, "public access block configuration");
    }

    /**
     * Decides reads of objects by their IP grants and ACLs (as policy statements) and keeps object ACLs with their grants;
     * returns this router.
     */
    public S3Router grants(GrantPolicy policy) {
        this.grants = policy;
        return this;
    }

    /** Decides the client's address and scheme (behind trusted proxies) for bucket policies; returns this router. */
    public S3Router clients(io.hifadhi.api.auth.ClientAddress clientAddress) {
        this.clients = clientAddress;
        return this;
    }

    /** Header blocks over this many bytes get RequestHeaderSectionTooLarge, as from S3. */
    public S3Router maxHeaderBytes(int limit) {
        this.maxHeaderBytes = limit;
        return this;
    }

    /** Limits each access key to this many requests a second (bursts of as many again); returns this router. */
    public S3Router keyRate(io.hifadhi.api.http.RequestRate<String> rate) {
        this.keyRate = rate;
        return this;
    }

    /** Limits each access key to this many requests open at once; returns this router. */
    public S3Router keyOpenRequests(io.hifadhi.api.http.OpenRequests<String> open) {
        this.keyOpenRequests = open;
        return this;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String requestId = newRequestId();
        exchange.getResponseHeaders().put(REQUEST_ID, requestId);
        exchange.getResponseHeaders().put(ID_2, requestId);
        String resource = "/";
        try {
            long headerBytes = io.hifadhi.api.http.HeaderBlock.size(exchange.getRequestHeaders());
            if (headerBytes > maxHeaderBytes) {
                throw new S3Exception(S3Error.RequestHeaderSectionTooLarge, "Your request header section exceeds the maximum "
                        + "allowed size: " + headerBytes + " bytes, the limit is " + maxHeaderBytes + ".");
            }
            ExchangeView view = new ExchangeView(exchange);
            // Decoded from the wire form (Undertow's ISO-8859-1 view of the bytes), strictly as UTF-8.
            Target target = target(exchange.getRequestPath(), exchange.getRequestHeaders().getFirst("Host"),
                    services.settings().hostDomains());
            resource = target.resource();
            Map<String, List<String>> query = parseQuery(exchange.getQueryString());
            if (view.method().equals("OPTIONS")) {
                cors.preflight(exchange, target.bucket());
                return;
            }
            boolean anonymous = SigV4Verifier.authStyle(view) == io.hifadhi.api.signature.AuthStyle.NONE;
            RequestKey key = new RequestKey(keys);
            VerifiedRequest auth;
            try {
                auth = anonymous ? verifier.anonymous(view) : verifier.verify(view, virtualHostBucket(
                        exchange.getRequestHeaders().getFirst("Host"), services.settings().hostDomains()), key);
            } catch (S3AuthException e) {
                throw S3Exception.of(e);
            }
            if (!anonymous) {
                refuseOverKeyRate(exchange, auth.accessKeyId());
                refuseOverKeyOpenRequests(exchange, auth.accessKeyId());
            }
            S3Request request = new S3Request(exchange, view.method(), target.bucket(), target.key(), query, auth, requestId);
            S3Operation op;
            Operation operation;
            try {
                op = operation(request);
                operation = handler(op, request, key);
            } catch (S3Exception e) {
                // Who may ask comes before what is asked: an anonymous caller learns nothing about the endpoint.
                throw anonymous ? new S3Exception(S3Error.AccessDenied, "Access Denied: the request is not signed. Sign"
                        + " it with AWS Signature Version 4 or 2 (an access key and secret are required).") : e;
            }
            // Who sent it is known (or it is anonymous); now whether that may do this, before anything is read or changed.
            if (op != S3Operation.PostObject) { // a form names its signer in its fields: PostObject checks it itself
                request = request.withCheckedBucket(access.enforce(op, request, key.permissions(request.accessKey())));
            }
            cors.decorate(request);
            operation.handle(request);
        } catch (S3Exception e) {
            S3Responses.error(exchange, e, resource, requestId);
        } catch (S3AuthException e) {
            // The request itself was verified above: this is its body (a bad aws-chunked frame, chunk signature or
            // trailer checksum) or a checksum header. What is left of the body is not read; the connection closes.
            exchange.setPersistent(false);
            bodyRefusals.warn("S3 request " + requestId + " on " + resource + " from " + exchange.getSourceAddress()
                    + " refused: " + e.code() + ": " + e.getMessage());
            S3Responses.error(exchange, S3Exception.of(e), resource, requestId);
        } catch (io.hifadhi.api.store.StoreUnavailableException e) {
            LOG.warn("S3 request {} on {}: {}", requestId, resource, e.getMessage());
            exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, "2");
            S3Responses.error(exchange, new S3Exception(S3Error.ServiceUnavailable, e.getMessage()), resource, requestId);
        } catch (CorruptDataException e) {
            LOG.error("corrupt data behind {} ({}): {}", resource, requestId, e.getMessage());
            S3Responses.error(exchange, new S3Exception(S3Error.InternalError,
                    "Stored data failed its checksum; the operator should check the node's disk."), resource, requestId);
        } catch (IOException e) {
            if (refusedForFullDisk(exchange, e, resource, requestId)) {
                return;
            }
            if (isClientGone(e) || !exchange.getConnection().isOpen()) {
                LOG.debug("client went away during {} ({}): {}", resource, requestId, e.toString());
                IoUtils.safeClose(exchange.getConnection());
                return;
            }
            if (refusedBadBody(exchange, resource, requestId)) {
                return;
            }
            LOG.error("S3 request {} on {} failed", requestId, resource, e);
            S3Responses.error(exchange, new S3Exception(S3Error.InternalError,
                    "We encountered an internal error. Please try again."), resource, requestId);
        } catch (RuntimeException e) {
            if (refusedForFullDisk(exchange, e, resource, requestId)) {
                return;
            }
            if (!exchange.getConnection().isOpen()) {
                LOG.debug("client went away during {} ({}): {}", resource, requestId, e.toString());
                return;
            }
            LOG.error("S3 request {} on {} failed", requestId, resource, e);
            S3Responses.error(exchange, new S3Exception(S3Error.InternalError,
                    "We encountered an internal error. Please try again."), resource, requestId);
        }
    }

    /**
     * A key used from many addresses at once (a leaked key, a fleet gone wild) is held to its own rate, so
     * that it cannot take the node from other keys by spreading over addresses.
     */
    private void refuseOverKeyRate(HttpServerExchange exchange, String accessKey) throws S3Exception {
        long wait = keyRate == null ? 0 : keyRate.take(accessKey);
        if (wait > 0) {
            refusals.warn("refused with 503 (SlowDown): access key " + accessKey + " makes more than "
                    + keyRate.perSecond() + " requests a second");
            exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, Long.toString(wait));
            throw new S3Exception(S3Error.SlowDown, "Please reduce your request rate: this access key makes more than "
                    + keyRate.perSecond() + " requests a second to this node. Retry after the Retry-After seconds.");
        }
    }

    /**
     * A key may have only so many requests open at once, from all its addresses: slow uploads or unread
     * downloads spread over many addresses cannot take every worker of the node. Counted until the exchange ends.
     */
    private void refuseOverKeyOpenRequests(HttpServerExchange exchange, String accessKey) throws S3Exception {
        io.hifadhi.api.http.OpenRequests<String> open = keyOpenRequests;
        if (open == null) {
            return;
        }
        if (!open.enter(accessKey)) {
            refusals.warn("refused with 503 (SlowDown): access key " + accessKey + " has " + open.limit()
                    + " requests open on this node already");
            exchange.getResponseHeaders().put(io.undertow.util.Headers.RETRY_AFTER, "1");
            throw new S3Exception(S3Error.SlowDown, "Please reduce your request rate: this access key has "
                    + open.limit() + " requests open on this node, the most it may have at once. Finish or cancel some,"
                    + " then retry after the Retry-After seconds.");
        }
        exchange.addExchangeCompleteListener((ex, next) -> {
            open.leave(accessKey);
            next.proceed();
        });
    }

    /**
     * Answers an S3 request whose body failed on the wire before any handler ran (BodyStartGate, on the
     * I/O thread); false when its body did not fail.
     */
    public boolean refusedBadBody(HttpServerExchange exchange) {
        String requestId = newRequestId();
        exchange.getResponseHeaders().put(REQUEST_ID, requestId);
        exchange.getResponseHeaders().put(ID_2, requestId);
        return refusedBadBody(exchange, clip(exchange.getRequestPath()), requestId);
    }

    /**
     * A body that failed on the wire (malformed chunking, over the limit, cut short) is the client's fault:
     * 4xx, one WARN line (at most one a second: a presigned link must not let anyone flood the log).
     */
    private boolean refusedBadBody(HttpServerExchange exchange, String resource, String requestId) {
        IOException fault = io.hifadhi.api.http.RequestBodyFault.of(exchange);
        if (fault == null) {
            return false;
        }
        exchange.setPersistent(false);
        bodyRefusals.warn("S3 request " + requestId + " on " + resource + " refused, its body could not be read from "
                + exchange.getSourceAddress() + ": " + fault);
        S3Exception answer;
        if (io.hifadhi.api.http.RequestBodyFault.tooLarge(exchange)) {
            answer = new S3Exception(S3Error.EntityTooLarge, "Your proposed upload exceeds the maximum allowed object size.");
        } else if (io.hifadhi.api.http.RequestBodyFault.malformed(exchange)) {
            answer = new S3Exception(S3Error.InvalidRequest, fault.getMessage()
                    + " Send the body with valid chunked transfer encoding, or with a Content-Length.");
        } else {
            answer = new S3Exception(S3Error.IncompleteBody, "The request body could not be read: " + fault.getMessage());
        }
        S3Responses.error(exchange, answer, resource, requestId);
        return true;
    }

    /** A full disk is the operator's to fix, not an internal error: say so (507) and log no stack. */
    private static boolean refusedForFullDisk(HttpServerExchange exchange, Exception e, String resource, String requestId) {
        if (!DiskFull.causedBy(e)) {
            return false;
        }
        LOG.warn("S3 request {} on {} refused, the data disk is full ({})", requestId, resource, e.getMessage());
        S3Responses.error(exchange, new S3Exception(S3Error.InsufficientStorage,
                "This node's data disk is full; nothing was stored. Free space or add capacity, then retry."),
                resource, requestId);
        return true;
    }

    /** The handler of each supported operation; unsupported ones never get here ({@link S3Operation#of}). */
    private Operation handler(S3Operation op, S3Request r, RequestKey key) throws S3Exception {
        return switch (op) {
            case ListBuckets -> {
                Permissions granted = key.permissions(r.accessKey());
                yield q -> buckets.listBuckets(q, granted::canSee);
            }
            case GetBucketLocation -> buckets::location;
            case GetBucketCors -> corsRules::get;
            case PutBucketCors -> corsRules::put;
            case DeleteBucketCors -> corsRules::delete;
            case GetBucketLifecycleConfiguration -> lifecycle::get;
            case PutBucketLifecycleConfiguration -> lifecycle::put;
            case DeleteBucketLifecycle -> lifecycle::delete;
            case GetBucketTagging -> bucketTags::get;
            case PutBucketTagging -> bucketTags::put;
            case DeleteBucketTagging -> bucketTags::delete;
            case GetBucketVersioning -> buckets::versioning;
            case GetBucketEncryption -> buckets::encryption;
            case GetPublicAccessBlock -> publicAccessBlock::get;
            case PutPublicAccessBlock -> publicAccessBlock::put;
            case DeletePublicAccessBlock -> publicAccessBlock::delete;
            case GetBucketPolicy -> policies::get;
            case PutBucketPolicy -> policies::put;
            case DeleteBucketPolicy -> policies::delete;
            case GetBucketPolicyStatus -> policies::status;
            case PostObject -> postObject::handle;
            case GetBucketAcl -> acls::getBucket;
            case PutBucketAcl -> acls::putBucket;
            case GetObjectAcl -> acls::getObject;
            case PutObjectAcl -> acls::putObject;
            case ListMultipartUploads -> multipart::listUploads;
            case ListObjectsV2 -> listObjects::v2;
            case ListObjects -> listObjects::v1;
            case DeleteObjects -> deleteObjects::deleteMany;
            case HeadBucket -> buckets::head;
            case CreateBucket -> buckets::create;
            case DeleteBucket -> buckets::delete;
            case ListParts -> multipart::listParts;
            case UploadPartCopy -> multipart::uploadPartCopy;
            case UploadPart -> multipart::uploadPart;
            case AbortMultipartUpload -> multipart::abort;
            case CreateMultipartUpload -> multipart::create;
            case CompleteMultipartUpload -> multipart::complete;
            case GetObject, HeadObject -> getObject::handle;
            case CopyObject -> copyObject::handle;
            case GetObjectTagging -> tagging::get;
            case PutObjectTagging -> tagging::put;
            case DeleteObjectTagging -> tagging::delete;
            case GetObjectAttributes -> attributes::handle;
            case PutObject -> putObject::handle;
            case DeleteObject -> deleteObjects::deleteOne;
            default -> throw new S3Exception(S3Error.NotImplemented, op.name() + " is not implemented by this server.");
        };
    }

    private static S3Operation operation(S3Request r) throws S3Exception {
        if (r.key() != null) {
            String problem = ObjectKeys.problemWith(r.key());
            if (problem != null) {
                throw new S3Exception(S3Error.KeyTooLongError, problem);
            }
        }
        return S3Operation.of(r.method(), r.bucket(), r.key(), r.query(), r.header("x-amz-copy-source") != null);
    }

    /** Bucket and key named by a request. */
    record Target(String bucket, String key) {
        String resource() {
            return "/" + (bucket == null ? "" : bucket + (key == null ? "" : "/" + key));
        }
    }

    static Target target(String rawPath, String host, List<String> hostDomains) throws S3Exception {
        if (!rawPath.startsWith("/")) {
            throw new S3Exception(S3Error.InvalidURI, "Couldn't parse the specified URI.");
        }
        String bucket = virtualHostBucket(host, hostDomains);
        String rawKey;
        if (bucket == null) {
            String rest = rawPath.substring(1);
            if (rest.isEmpty()) {
                return new Target(null, null);
            }
            int slash = rest.indexOf('/');
            bucket = decode(slash < 0 ? rest : rest.substring(0, slash));
            rawKey = slash < 0 ? "" : rest.substring(slash + 1);
        } else {
            rawKey = rawPath.substring(1);
        }
        return new Target(bucket, rawKey.isEmpty() ? null : decode(rawKey));
    }

    private static String virtualHostBucket(String host, List<String> hostDomains) {
        if (host == null || hostDomains.isEmpty()) {
            return null;
        }
        String h = host.toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > 0 && h.indexOf(']') < colon) {
            h = h.substring(0, colon);
        }
        for (String domain : hostDomains) {
            if (h.endsWith("." + domain) && h.length() > domain.length() + 1) {
                return h.substring(0, h.length() - domain.length() - 1);
            }
        }
        return null;
    }

    static Map<String, List<String>> parseQuery(String rawQuery) throws S3Exception {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = decodeQuery(eq < 0 ? part : part.substring(0, eq));
            String value = eq < 0 ? "" : decodeQuery(part.substring(eq + 1));
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static String decodeQuery(String raw) throws S3Exception {
        return decode(raw.replace("+", "%20"));
    }

    private static String decode(String raw) throws S3Exception {
        try {
            return PercentDecoder.decodePath(raw);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3Error.InvalidURI, "Couldn't parse the specified URI: " + e.getMessage() + ".");
        }
    }

    private static String newRequestId() {
        byte[] b = new byte[8];
        ThreadLocalRandom.current().nextBytes(b);
        return HexFormat.of().withUpperCase().formatHex(b);
    }

    private static String clip(String s) {
        String c = s.length() > 64 ? s.substring(0, 64) : s;
        return c.replaceAll("\\p{Cntrl}", "?");
    }

    private static boolean isClientGone(IOException e) {
        return String.valueOf(e.getMessage()).matches("(?i).*(broken pipe|connection reset|closed|UT000128|UT000036).*");
    }
}
