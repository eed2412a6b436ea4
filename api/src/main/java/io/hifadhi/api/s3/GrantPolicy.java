package io.hifadhi.api.s3;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.AccessPolicy;
import io.hifadhi.api.auth.ClientAddress;
import io.hifadhi.api.auth.Grant;
import io.hifadhi.api.auth.GrantPrefix;
import io.hifadhi.api.auth.GrantStore;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.auth.ObjectAccess;
import io.undertow.server.HttpServerExchange;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * IP grants are bucket-policy statements written another way: a grant of a network on an object (or on the keys under
 * a prefix) until a moment is {@code {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource":
 * "arn:aws:s3:::bucket/key" (or "bucket/prefix*"), "Condition": {"IpAddress": {"aws:SourceIp": network},
 * "DateLessThan": {"aws:CurrentTime": expiry}}}}, and {@link BucketPolicy} evaluates those statements for native
 * downloads (retrieve/stream, in the ".native" bucket) and S3 GET/HEAD alike, so every node enforces one engine. The
 * grants keep their storage (the object's record, the replicated prefix grants table); only the deciding moved here.
 * An S3 object's ACL is decided the same way ({@link AccessControlList#objectStatements}).
 *
 * <p>For native requests, an object no live grant covers yields "nothing presented" (the caller's other credentials
 * decide, 401 for native); an object whose live grants are for other addresses is refused with 403
 * {@code grant_ip_refused}.
 */
public final class GrantPolicy implements AccessPolicy {
    /** The record-table namespace of native files (NativeNames.BUCKET; repeated to keep s3 free of nativeapi). */
    static final String NATIVE_BUCKET = ".native";
    /** What a grant allows; S3's HeadObject is checked as s3:GetObject too. */
    static final String ACTION = "s3:GetObject";
    /** What an object's grants and ACL can allow: the actions to evaluate them for (they hold nothing else). */
    static final Set<String> OBJECT_ACTIONS = Set.of(ACTION, "s3:GetObjectAcl", "s3:PutObjectAcl");

    private final GrantStore grants;
    private final ClientAddress clients;
    private final Clock clock;

    public GrantPolicy(GrantStore grants, ClientAddress clients, Clock clock) {
        this.grants = Objects.requireNonNull(grants);
        this.clients = Objects.requireNonNull(clients);
        this.clock = Objects.requireNonNull(clock);
    }

    public GrantStore store() {
        return grants;
    }

    @Override
    public AccessDecision check(HttpServerExchange exchange, NativeOperation operation, String query) {
        if ((operation != NativeOperation.RETRIEVE && operation != NativeOperation.STREAM) || query == null || query.isEmpty()) {
            return none();
        }
        String method = exchange.getRequestMethod().toString();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return none();
        }
        try {
            return decide(clients.of(exchange), NATIVE_BUCKET, query, clock.instant());
        } catch (IOException e) {
            return new AccessDecision(false, true, 503, "unavailable",
                    "The object's grants could not be read: " + e.getMessage(), "Retry in a few seconds.");
        }
    }

    /** The decision for an unsigned read of {@code bucket}/{@code key} from {@code client} at {@code now}. */
    AccessDecision decide(InetAddress client, String bucket, String key, Instant now) throws IOException {
        BucketPolicy policy = statements(bucket, key, false);
        BucketPolicy.Request read = new BucketPolicy.Request(null, ACTION, resource(bucket, key),
                BucketPolicy.contextKeys(client, now), false);
        if (policy.evaluate(read).effect() == BucketPolicy.Effect.ALLOW) {
            return AccessDecision.allow();
        }
        if (!policy.allowsFromSomeAddress(read)) {
            return none();
        }
        return AccessDecision.forbid("grant_ip_refused", "This object is shared only with certain addresses; "
                + (client == null ? "this request's address is unknown" : client.getHostAddress() + " is not one of them") + ".",
                "Read it from a granted address, or ask its owner for a grant (POST /api/v1/grant) or a presigned link.");
    }

    /**
     * The statements of the grants that may cover {@code bucket}/{@code key}: the bucket's prefix grants, the object's
     * own IP grants and its S3 ACL's other grants (none when there is no such object).
     *
     * @param ignoreEveryone the bucket's Public Access Block ignores public ACLs: grants to every address (an object's
     *                       public-read ACL) are left out
     */
    BucketPolicy statements(String bucket, String key, boolean ignoreEveryone) throws IOException {
        List<BucketPolicy.Statement> out = new ArrayList<>();
        for (GrantPrefix p : grants.prefixGrants(bucket)) {
            if (!(ignoreEveryone && p.grant().toEveryone())) {
                out.add(statement(bucket, BucketPolicy.literal(p.prefix()) + "*", p.grant()));
            }
        }
        Optional<ObjectAccess> own = grants.objectAccess(bucket, key);
        if (own.isPresent()) {
            for (Grant g : own.get().grants()) {
                if (!(ignoreEveryone && g.toEveryone())) {
                    out.add(statement(bucket, BucketPolicy.literal(key), g));
                }
            }
            out.addAll(AccessControlList.decode(own.get().acl()).objectStatements(
                    "arn:aws:s3:::" + bucket + "/" + BucketPolicy.literal(key), ignoreEveryone));
        }
        return BucketPolicy.of(out);
    }

    /** One grant as the statement it is. */
    static BucketPolicy.Statement statement(String bucket, String keyPattern, Grant g) {
        List<BucketPolicy.Condition> conditions = new ArrayList<>();
        conditions.add(new BucketPolicy.Condition("IpAddress", false, "aws:sourceip", List.of(g.network().toString())));
        if (g.expiresAtMillis() != 0) {
            conditions.add(new BucketPolicy.Condition("DateLessThan", false, "aws:currenttime",
                    List.of(Instant.ofEpochMilli(g.expiresAtMillis()).toString())));
        }
        // No Sid: IAM allows only letters and digits there, and the statement must paste into any policy as is.
        return new BucketPolicy.Statement("", true, true, List.of(), false, List.of(ACTION),
                false, List.of("arn:aws:s3:::" + bucket + "/" + keyPattern), conditions);
    }

    /** The statement an object's grant is, as a bucket policy writes it (for listings). */
    public static ObjectNode objectStatement(String bucket, String key, Grant g) {
        return statement(bucket, BucketPolicy.literal(key), g).toJson();
    }

    /** The statement a prefix grant is, as a bucket policy writes it (for listings). */
    public static ObjectNode prefixStatement(GrantPrefix p) {
        return statement(p.bucket(), BucketPolicy.literal(p.prefix()) + "*", p.grant()).toJson();
    }

    static String resource(String bucket, String key) {
        return "arn:aws:s3:::" + bucket + "/" + key;
    }

    private static AccessDecision none() {
        return AccessDecision.absent("No IP grant covers this request.",
                "Send the SHARD-KEY header, use a presigned link, or read from an address granted with POST /api/v1/grant.");
    }
}
