package io.hifadhi.api.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hifadhi.api.Endpoint;
import io.hifadhi.api.http.BoundedInputStream;
import io.hifadhi.api.multipart.MultipartException;
import io.hifadhi.api.multipart.MultipartReader;
import io.hifadhi.api.multipart.Part;
import io.hifadhi.api.signature.PostPolicySignature;
import io.hifadhi.api.signature.S3AuthException;
import io.hifadhi.api.signature.VerifiedRequest;
import io.hifadhi.api.store.ObjectTooLargeException;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;
import io.undertow.util.Headers;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POST Object, the browser form upload: a multipart/form-data POST to the bucket whose fields (before the file) name
 * the key and carry a base64 JSON policy signed with SigV4 or Version 2. The signature and the key's permission are
 * checked before the file is read; every condition of the policy (eq, starts-with, exact matches, content-length-range)
 * is checked against the fields, and every field must be covered by a condition; a violation is 403 AccessDenied naming
 * the condition. The file streams into the store like a PUT body (the native form upload's reader) and is committed
 * only once it ended within the policy's length range. A form without a signature is anonymous: it succeeds only in a
 * bucket whose ACL or policy lets everyone write.
 */
final class PostObject {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields besides the file: the policy is at most 20 KiB of JSON, base64 a third more. */
    private static final int MAX_FIELD = 32 * 1024;
    private static final int MAX_FIELDS = 100;
    /** What is read after the file before answering: the closing delimiter, or a few ignored fields. */
    private static final long MAX_REST = 64 * 1024;
    /** Fields a policy need not cover (AWS's list). */
    private static final java.util.Set<String> UNCHECKED = java.util.Set.of("policy", "x-amz-signature", "signature",
            "awsaccesskeyid", "file");

    private final S3Services services;
    private final PostPolicySignature signatures;
    private final AccessCheck access;
    private final Acls acls;

    PostObject(S3Services services, PostPolicySignature signatures, AccessCheck access, Acls acls) {
        this.services = services;
        this.signatures = signatures;
        this.access = access;
        this.acls = acls;
    }

    void handle(S3Request r) throws IOException, S3Exception {
        String type = r.header("Content-Type");
        String boundary = type == null ? null : MultipartReader.boundaryOf(type);
        if (boundary == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new S3Exception(S3Error.InvalidRequest, "POST to a bucket is a browser form upload: the body must be"
                    + " multipart/form-data with a boundary.");
        }
        AtomicLong bytesIn = Endpoint.bytesIn(r.exchange());
        MultipartReader reader = new MultipartReader(new BoundedInputStream(r.exchange().getInputStream(), Long.MAX_VALUE, bytesIn),
                boundary);
        Map<String, String> fields = new LinkedHashMap<>();
        try {
            for (Part part = reader.next(); part != null; part = reader.next()) {
                if (part.name().equalsIgnoreCase("file")) {
                    upload(r, fields, part);
                    return;
                }
                if (fields.size() >= MAX_FIELDS) {
                    throw new S3Exception(S3Error.InvalidArgument, "The form has more than " + MAX_FIELDS + " fields.");
                }
                byte[] value = part.body().readNBytes(MAX_FIELD + 1);
                if (value.length > MAX_FIELD) {
                    throw new S3Exception(S3Error.InvalidArgument, "Form field " + AccessControlList.clip(part.name())
                            + " is longer than " + MAX_FIELD + " bytes.");
                }
                fields.putIfAbsent(part.name().toLowerCase(Locale.ROOT), new String(value, StandardCharsets.UTF_8));
            }
        } catch (MultipartException e) {
            throw new S3Exception(S3Error.MalformedPOSTRequest, "The body of your POST request is not well-formed"
                    + " multipart/form-data: " + e.getMessage() + ".");
        }
        throw new S3Exception(S3Error.InvalidArgument, "POST requires exactly one file upload per request: the form"
                + " has no 'file' field.", Map.of("ArgumentName", "file"));
    }

    private void upload(S3Request r, Map<String, String> fields, Part file) throws IOException, S3Exception {
        String key = fields.get("key");
        if (key == null || key.isEmpty()) {
            throw new S3Exception(S3Error.InvalidArgument, "Bucket POST must contain a field named 'key'.",
                    Map.of("ArgumentName", "key"));
        }
        key = key.replace("${filename}", file.fileName() == null ? "" : file.fileName());
        fields.put("key", key);
        String problem = ObjectKeys.problemWith(key);
        if (problem != null) {
            throw new S3Exception(S3Error.KeyTooLongError, problem);
        }
        fields.put("bucket", r.bucket());
        String[] range = null;
        VerifiedRequest auth = r.auth();
        String policyText = fields.get("policy");
        try {
            if (fields.containsKey("x-amz-credential") || fields.containsKey("x-amz-signature")) {
                String by = signatures.verifyV4(policyText, fields.get("x-amz-algorithm"), fields.get("x-amz-credential"),
                        fields.get("x-amz-date"), fields.get("x-amz-signature"));
                auth = signatures.signedBy(by, services.clock().instant());
            } else if (fields.containsKey("awsaccesskeyid")) {
                auth = signatures.signedBy(signatures.verifyV2(policyText, fields.get("awsaccesskeyid"),
                        fields.get("signature")), services.clock().instant());
            }
        } catch (S3AuthException e) {
            throw S3Exception.of(e);
        }
        if (policyText != null) {
            range = checkPolicy(policyText, fields);
        } else if (auth.accessKeyId() != null) {
            throw new S3Exception(S3Error.InvalidArgument, "A signed form must carry its policy.", Map.of("ArgumentName", "policy"));
        }
        S3Request signed = new S3Request(r.exchange(), r.method(), r.bucket(), key, r.query(), auth, r.requestId());
        access.enforce(S3Operation.PostObject, signed);
        Acls.ObjectAcl acl = fields.containsKey("acl") ? acls.forObjectWrite(withAcl(signed, fields.get("acl")))
                : Acls.ObjectAcl.PRIVATE;
        long max = Math.min(services.settings().maxObjectSize(), range == null ? Long.MAX_VALUE : Long.parseLong(range[1]));
        StagedBody staged;
        try {
            staged = services.store().stage(new BoundedInputStream(file.body(), max, new AtomicLong()));
        } catch (ObjectTooLargeException e) {
            throw new S3Exception(S3Error.EntityTooLarge, "Your proposed upload exceeds the maximum allowed size ("
                    + max + " bytes" + (range == null ? "" : ", the policy's content-length-range") + ").");
        }
        if (range != null && staged.size() < Long.parseLong(range[0])) {
            throw new S3Exception(S3Error.EntityTooSmall, "Your proposed upload is smaller than the minimum allowed size"
                    + " (" + range[0] + " bytes, the policy's content-length-range).");
        }
        String contentType = fields.getOrDefault("content-type", file.contentType());
        Map<String, String> metadata = new LinkedHashMap<>();
        fields.forEach((k, v) -> {
            if (k.startsWith("x-amz-meta-")) {
                metadata.put(k.substring("x-amz-meta-".length()), v);
            }
        });
        PutResult result = PutObject.commit(services, signed, new ObjectWrite(r.bucket(), key, contentType, metadata)
                .withAccess(acl.grants(), acl.stored()), staged);
        readRest(r);
        answer(r, fields, key, result.object().etag());
    }

    /**
     * Reads what follows the file (the closing delimiter; fields after the file, which S3 ignores) so that the
     * connection stays usable for the browser's next upload. Beyond {@link #MAX_REST} the rest is left unread and
     * the answer says {@code Connection: close}.
     */
    private static void readRest(S3Request r) throws IOException {
        InputStream in = r.exchange().getInputStream();
        byte[] sink = new byte[8192];
        long read = 0;
        for (int n; read < MAX_REST && (n = in.read(sink, 0, (int) Math.min(sink.length, MAX_REST - read))) >= 0; ) {
            read += n;
        }
        Endpoint.bytesIn(r.exchange()).addAndGet(read);
    }

    /** The form's acl field as the x-amz-acl header the write checks take. */
    private static S3Request withAcl(S3Request r, String acl) {
        r.exchange().getRequestHeaders().put(io.undertow.util.HttpString.tryFromString("x-amz-acl"), acl);
        return r;
    }

    private void answer(S3Request r, Map<String, String> fields, String key, String etag) {
        String quoted = "\"" + etag + "\"";
        r.exchange().getResponseHeaders().put(Headers.ETAG, quoted);
        String location = "/" + r.bucket() + "/" + key;
        r.exchange().getResponseHeaders().put(Headers.LOCATION, location);
        String redirect = fields.getOrDefault("success_action_redirect", fields.get("redirect"));
        if (redirect != null && (redirect.startsWith("http://") || redirect.startsWith("https://"))) {
            r.exchange().getResponseHeaders().put(Headers.LOCATION, redirect + (redirect.contains("?") ? "&" : "?")
                    + "bucket=" + enc(r.bucket()) + "&key=" + enc(key) + "&etag=" + enc(quoted));
            S3Responses.empty(r.exchange(), 303);
            return;
        }
        String status = fields.getOrDefault("success_action_status", "204");
        if (status.equals("201")) {
            S3Responses.xml(r.exchange(), 201, XmlWriter.plainDocument("PostResponse").element("Location", location)
                    .element("Bucket", r.bucket()).element("Key", key).element("ETag", quoted));
        } else {
            S3Responses.empty(r.exchange(), status.equals("200") ? 200 : 204);
        }
    }

    /**
     * Checks the policy's expiration and every condition against the fields, and that every field is covered.
     * Returns the content-length-range's {min, max}, or null when it has none.
     */
    private String[] checkPolicy(String policyText, Map<String, String> fields) throws S3Exception {
        JsonNode policy;
        try {
            policy = JSON.readTree(Base64.getDecoder().decode(policyText.replaceAll("\\s", "")));
        } catch (IllegalArgumentException | IOException e) {
            throw new S3Exception(S3Error.InvalidPolicyDocument, "Invalid Policy: the policy is not base64-encoded JSON.");
        }
        if (policy == null || !policy.path("expiration").isTextual() || !policy.path("conditions").isArray()) {
            throw new S3Exception(S3Error.InvalidPolicyDocument, "Invalid Policy: it needs \"expiration\" and \"conditions\".");
        }
        try {
            if (!Instant.parse(policy.get("expiration").asText()).isAfter(services.clock().instant())) {
                throw denied("Invalid according to Policy: Policy expired.");
            }
        } catch (DateTimeParseException e) {
            throw new S3Exception(S3Error.InvalidPolicyDocument, "Invalid Policy: expiration is not an ISO 8601 time.");
        }
        List<String> covered = new ArrayList<>();
        String[] range = null;
        for (JsonNode c : policy.get("conditions")) {
            if (c.isObject() && c.size() == 1) {
                String name = c.fieldNames().next();
                String field = name.toLowerCase(Locale.ROOT);
                covered.add(field);
                if (!c.get(name).asText().equals(fields.getOrDefault(field, ""))) {
                    throw denied("Invalid according to Policy: Policy Condition failed: {\"" + name + "\": \""
                            + c.get(name).asText() + "\"}");
                }
            } else if (c.isArray() && c.size() == 3 && c.get(0).asText().equalsIgnoreCase("content-length-range")) {
                range = new String[]{Long.toString(c.get(1).asLong()), Long.toString(c.get(2).asLong())};
            } else if (c.isArray() && c.size() == 3 && c.get(1).asText().startsWith("$")) {
                String op = c.get(0).asText().toLowerCase(Locale.ROOT);
                String field = c.get(1).asText().substring(1).toLowerCase(Locale.ROOT);
                String expected = c.get(2).asText();
                String value = fields.getOrDefault(field, "");
                covered.add(field);
                boolean ok = switch (op) {
                    case "eq" -> value.equals(expected);
                    case "starts-with" -> value.startsWith(expected);
                    default -> throw new S3Exception(S3Error.InvalidPolicyDocument, "Invalid Policy: unknown condition"
                            + " operation '" + AccessControlList.clip(op) + "' (eq, starts-with, content-length-range).");
                };
                if (!ok) {
                    throw denied("Invalid according to Policy: Policy Condition failed: [\"" + op + "\", \"$" + field
                            + "\", \"" + expected + "\"]");
                }
            } else {
                throw new S3Exception(S3Error.InvalidPolicyDocument, "Invalid Policy: condition " + AccessControlList.clip(
                        c.toString()) + " is not {field: value}, [eq|starts-with, $field, value] or"
                        + " [content-length-range, min, max].");
            }
        }
        for (String field : fields.keySet()) {
            if (!covered.contains(field) && !UNCHECKED.contains(field) && !field.startsWith("x-ignore-")
                    && !field.equals("bucket")) {
                throw denied("Invalid according to Policy: Extra input fields: " + AccessControlList.clip(field));
            }
        }
        return range;
    }

    private static S3Exception denied(String message) {
        return new S3Exception(S3Error.AccessDenied, message);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
