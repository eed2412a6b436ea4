package io.hifadhi.api.s3;

import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.Cidr;
import io.hifadhi.api.auth.ClientAddress;
import io.hifadhi.api.auth.Grant;
import io.hifadhi.api.auth.GrantPrefix;
import io.hifadhi.api.auth.GrantStore;
import io.hifadhi.api.auth.ObjectAccess;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The grant rules on plain values, decided as bucket-policy statements; the HTTP and cluster behaviour is in node's GrantClusterTest. */
class GrantPolicyTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    /** Pure-logic stand-in for the node's replicated store (unit test only). */
    static final class MapGrants implements GrantStore {
        final Map<String, List<Grant>> objects = new HashMap<>();
        final List<GrantPrefix> prefixes = new ArrayList<>();
        final Map<String, String> acls = new HashMap<>();

        @Override
        public Optional<ObjectAccess> objectAccess(String bucket, String key) {
            String k = bucket + "/" + key;
            return Optional.ofNullable(objects.get(k)).map(g -> new ObjectAccess(g, acls.getOrDefault(k, "")));
        }

        @Override
        public Optional<List<Grant>> grantObject(String bucket, String key, Grant grant) {
            return Optional.ofNullable(objects.computeIfPresent(bucket + "/" + key, (k, v) -> Grant.with(v, grant, NOW)));
        }

        @Override
        public Optional<ObjectAccess> updateObject(String bucket, String key, java.util.function.UnaryOperator<ObjectAccess> change) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Boolean> revokeObject(String bucket, String key, Cidr network) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<GrantPrefix> prefixGrants(String bucket) {
            return prefixes.stream().filter(p -> p.bucket().equals(bucket)).toList();
        }

        @Override
        public void grantPrefix(GrantPrefix grant) {
            prefixes.add(grant);
        }

        @Override
        public boolean revokePrefix(String bucket, String prefix, Cidr network) {
            throw new UnsupportedOperationException();
        }
    }

    static InetAddress ip(String s) {
        return Cidr.parseAddress(s);
    }

    final MapGrants store = new MapGrants();
    final GrantPolicy policy = new GrantPolicy(store, ClientAddress.direct(), java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC));

    @Test
    void objectGrantAllowsItsNetworkOnlyAndForbidsOthers() throws Exception {
        store.objects.put(".native/n@f", List.of());
        assertFalse(policy.decide(ip("203.0.113.7"), ".native", "n@f", NOW).presented(), "no grants: nothing presented");
        store.grantObject(".native", "n@f", new Grant(Cidr.parse("203.0.113.0/24"), 0));
        assertTrue(policy.decide(ip("203.0.113.7"), ".native", "n@f", NOW).allowed());
        assertTrue(policy.decide(ip("::ffff:203.0.113.9"), ".native", "n@f", NOW).allowed(), "IPv4-mapped is IPv4");
        AccessDecision other = policy.decide(ip("198.51.100.1"), ".native", "n@f", NOW);
        assertFalse(other.allowed());
        assertEquals(403, other.status());
        assertEquals("grant_ip_refused", other.error());
        assertFalse(policy.decide(ip("203.0.113.7"), ".native", "n@other", NOW).allowed());
    }

    @Test
    void ipv6GrantAndExpiry() throws Exception {
        store.objects.put("b/k", List.of(new Grant(Cidr.parse("2001:db8::/32"), NOW.toEpochMilli() + 1000)));
        assertTrue(policy.decide(ip("2001:db8::1"), "b", "k", NOW).allowed());
        assertFalse(policy.decide(ip("2001:db9::1"), "b", "k", NOW).allowed());
        AccessDecision later = policy.decide(ip("2001:db8::1"), "b", "k", NOW.plusMillis(1000));
        assertFalse(later.allowed(), "expired at its expiry instant");
        assertFalse(later.presented(), "an object whose grants all expired is as if never granted");
    }

    @Test
    void prefixGrantsCoverKeysUnderThePrefixOfTheirBucketOnly() throws Exception {
        store.grantPrefix(new GrantPrefix("media", "videos/", new Grant(Cidr.parse("10.0.0.0/8"), 0)));
        assertTrue(policy.decide(ip("10.1.2.3"), "media", "videos/a.mp4", NOW).allowed(), "no record needed");
        assertFalse(policy.decide(ip("10.1.2.3"), "media", "video.mp4", NOW).allowed());
        assertFalse(policy.decide(ip("10.1.2.3"), "other", "videos/a.mp4", NOW).allowed());
        assertEquals(403, policy.decide(ip("192.0.2.1"), "media", "videos/a.mp4", NOW).status());
    }

    @Test
    void aPrefixWithWildcardCharactersCoversOnlyKeysUnderItLiterally() throws Exception {
        store.grantPrefix(new GrantPrefix("media", "a*b?$", new Grant(Cidr.parse("10.0.0.0/8"), 0)));
        assertTrue(policy.decide(ip("10.1.2.3"), "media", "a*b?$/x", NOW).allowed());
        assertFalse(policy.decide(ip("10.1.2.3"), "media", "axxbz$/x", NOW).allowed(), "* and ? of a prefix are not wildcards");
        store.objects.put("media/k*", List.of(new Grant(Cidr.parse("10.0.0.0/8"), 0)));
        assertTrue(policy.decide(ip("10.1.2.3"), "media", "k*", NOW).allowed());
    }

    @Test
    void aGrantIsTheStatementABucketPolicyWouldWrite() throws Exception {
        Grant g = new Grant(Cidr.parse("192.0.2.0/24"), Instant.parse("2026-01-02T00:00:00Z").toEpochMilli());
        BucketPolicy fromGrant = BucketPolicy.of(List.of(GrantPolicy.statement("media", "videos/*", g)));
        BucketPolicy written = BucketPolicy.parse("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::media/videos/*\","
                + "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"192.0.2.0/24\"},"
                + "\"DateLessThan\":{\"aws:CurrentTime\":\"2026-01-02T00:00:00Z\"}}}]}", "media");
        for (String from : List.of("192.0.2.9", "198.51.100.1")) {
            for (Instant at : List.of(NOW, Instant.parse("2026-01-02T00:00:00Z"))) {
                for (String action : List.of("s3:GetObject", "s3:PutObject")) {
                    BucketPolicy.Request r = new BucketPolicy.Request(null, action, "arn:aws:s3:::media/videos/a.mp4",
                            BucketPolicy.contextKeys(ip(from), at), false);
                    assertEquals(written.evaluate(r).effect(), fromGrant.evaluate(r).effect(), from + " " + at + " " + action);
                }
            }
        }
    }

    static BucketPolicy.Effect read(BucketPolicy p, String accessKey, String action) {
        Map<String, List<String>> keys = new HashMap<>(BucketPolicy.contextKeys(ip("192.0.2.1"), NOW));
        if (accessKey != null) {
            keys.put("aws:userid", List.of(accessKey));
        }
        return p.evaluate(new BucketPolicy.Request(accessKey, action, "arn:aws:s3:::b/k", keys, false)).effect();
    }

    @Test
    void objectAclGrantsAreStatementsToo() throws Exception {
        store.objects.put("b/k", List.of());
        AccessControlList acl = new AccessControlList(List.of(
                new AccessControlList.Entry(AccessControlList.Grantee.AUTHENTICATED, AccessControlList.Right.READ),
                new AccessControlList.Entry(AccessControlList.Grantee.user(Owner.of("KEY2").id()), AccessControlList.Right.READ_ACP),
                new AccessControlList.Entry(AccessControlList.Grantee.user("KEY3"), AccessControlList.Right.FULL_CONTROL),
                new AccessControlList.Entry(AccessControlList.Grantee.user("KEY4"), AccessControlList.Right.WRITE)));
        store.acls.put("b/k", acl.encode());
        BucketPolicy p = policy.statements("b", "k", false);
        assertEquals(BucketPolicy.Effect.ALLOW, read(p, "KEY1", "s3:GetObject"), "AuthenticatedUsers: any signed key");
        assertEquals(BucketPolicy.Effect.NONE, read(p, null, "s3:GetObject"), "not anonymous");
        assertEquals(BucketPolicy.Effect.NONE, read(p, "KEY1", "s3:GetObjectAcl"));
        assertEquals(BucketPolicy.Effect.ALLOW, read(p, "KEY2", "s3:GetObjectAcl"), "by canonical user id");
        assertEquals(BucketPolicy.Effect.NONE, read(p, "KEY2", "s3:PutObjectAcl"));
        assertEquals(BucketPolicy.Effect.ALLOW, read(p, "KEY3", "s3:PutObjectAcl"), "FULL_CONTROL");
        assertEquals(BucketPolicy.Effect.NONE, read(p, "KEY3", "s3:DeleteObject"), "FULL_CONTROL of an object is its ACL and body");
        assertEquals(BucketPolicy.Effect.NONE, read(p, "KEY4", "s3:PutObject"), "WRITE means nothing on an object");
        BucketPolicy ignoringPublic = policy.statements("b", "k", true);
        assertEquals(BucketPolicy.Effect.NONE, read(ignoringPublic, "KEY1", "s3:GetObject"), "IgnorePublicAcls");
        assertEquals(BucketPolicy.Effect.ALLOW, read(ignoringPublic, "KEY2", "s3:GetObjectAcl"));
        // an object's ACL is its own: another key of the bucket is not covered
        assertEquals(BucketPolicy.Effect.NONE, p.evaluate(new BucketPolicy.Request("KEY1", "s3:GetObject", "arn:aws:s3:::b/k2",
                Map.of("aws:userid", List.of("KEY1")), false)).effect());
    }

    @Test
    void withReplacesTheSameNetworkAndPrunesExpired() {
        Grant a = new Grant(Cidr.parse("192.0.2.1"), 0);
        Grant old = new Grant(Cidr.parse("192.0.2.2"), NOW.toEpochMilli() - 1);
        Grant a2 = new Grant(Cidr.parse("192.0.2.1/32"), NOW.toEpochMilli() + 5000);
        assertEquals(List.of(a2), Grant.with(List.of(a, old), a2, NOW));
        assertEquals(List.of(), Grant.without(List.of(a, old), Cidr.parse("192.0.2.1"), NOW));
    }
}
