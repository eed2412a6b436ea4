package io.hifadhi.api.nativeapi;

import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.AccessPolicy;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.s3.ExchangeView;
import io.hifadhi.api.s3.PermissionLookup;
import io.hifadhi.api.s3.Permissions;
import io.hifadhi.api.signature.AuthStyle;
import io.hifadhi.api.signature.PayloadMode;
import io.hifadhi.api.signature.S3AuthException;
import io.hifadhi.api.signature.SigV4Verifier;
import io.hifadhi.api.signature.VerifiedRequest;
import io.undertow.server.HttpServerExchange;

/**
 * Native file requests signed like S3 requests (SigV4 in the Authorization header) by an access key whose
 * permission on {@link NativeNames#BUCKET} ({@code .native}) allows them: read for retrieve, stream, info and
 * listing; write for store, delete and directory changes; both for copy and move. The admin operations (cluster,
 * keys, grants, presigning, locate) stay with the SHARD-KEY. The body is not covered by the signature
 * ({@code UNSIGNED-PAYLOAD}, as S3 allows): a request that claims a signed body hash is refused rather than
 * trusted unchecked.
 */
public final class AccessKeyPolicy implements AccessPolicy {
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final String HINT = "Give the key a permission on the native space (key create --bucket .native=read|write|readwrite), "
            + "or send the SHARD-KEY.";

    private final SigV4Verifier verifier;
    private final PermissionLookup permissions;

    public AccessKeyPolicy(SigV4Verifier verifier, PermissionLookup permissions) {
        this.verifier = verifier;
        this.permissions = permissions;
    }

    @Override
    public AccessDecision check(HttpServerExchange exchange, NativeOperation operation, String query) {
        ExchangeView view = new ExchangeView(exchange);
        if (SigV4Verifier.authStyle(view) != AuthStyle.HEADER) {
            return AccessDecision.absent("This request needs the SHARD-KEY header or an access key's SigV4 signature.",
                    "Send 'SHARD-KEY: <key>', or sign the request with an access key (service s3) that has a permission on .native.");
        }
        VerifiedRequest verified;
        try {
            verified = verifier.verify(view);
        } catch (S3AuthException e) {
            return AccessDecision.deny("The access key signature was refused: " + e.getMessage(),
                    "Sign with the key's secret, service 's3', the node's region, and UNSIGNED-PAYLOAD.");
        }
        String method = exchange.getRequestMethod().toString();
        PayloadMode payload = verified.payloadMode();
        boolean emptyBody = payload == PayloadMode.SIGNED_SHA256 && verified.payloadSha256Hex().orElse("").equals(EMPTY_SHA256)
                && exchange.getRequestContentLength() <= 0;
        if (payload != PayloadMode.UNSIGNED && !emptyBody) {
            return AccessDecision.forbid("unsigned_payload_required", "Native requests signed with an access key must send "
                    + "x-amz-content-sha256: UNSIGNED-PAYLOAD (or the empty body's hash when there is no body).",
                    "The native API does not check a signed body hash; sign with UNSIGNED-PAYLOAD.");
        }
        Permissions p = permissions.of(verified.accessKeyId());
        boolean read = p.canRead(NativeNames.BUCKET);
        boolean write = p.canWrite(NativeNames.BUCKET);
        boolean allowed = switch (operation) {
            case RETRIEVE, STREAM -> read;
            case STORE -> write;
            case FILES -> switch (method) {
                case "GET", "HEAD" -> read;
                case "POST" -> read && write; // copy and move read one file and write another
                default -> write;
            };
            case CLUSTER, PRESIGN, GRANT -> false;
        };
        if (allowed) {
            return AccessDecision.allow();
        }
        boolean admin = operation == NativeOperation.CLUSTER || operation == NativeOperation.PRESIGN || operation == NativeOperation.GRANT;
        return AccessDecision.forbid("access_denied", admin ? "This is an admin operation: it needs the SHARD-KEY, not an access key."
                : "The access key " + verified.accessKeyId() + " may not " + (method.equals("GET") || method.equals("HEAD") ? "read" : "change")
                + " native files.", admin ? "Send the SHARD-KEY header." : HINT);
    }
}
