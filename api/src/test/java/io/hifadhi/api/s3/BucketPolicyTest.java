package io.hifadhi.api.s3;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bucket policy grammar and IAM's evaluation rules (pure logic). */
class BucketPolicyTest {
    private static final String OBJECTS = "arn:aws:s3:::b/";

    private static BucketPolicy policy(String statements) throws S3Exception {
        return BucketPolicy.parse("{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}", "b");
    }

    private static BucketPolicy.Effect eval(BucketPolicy p, String key, String action, String resource, Map<String, List<String>> keys) {
        return p.evaluate(new BucketPolicy.Request(key, action, resource, keys, false)).effect();
    }

    @Test
    void denyWinsThenAllowThenNothing() throws S3Exception {
        BucketPolicy p = policy("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:Get*\",\"Resource\":\"arn:aws:s3:::b/*\"},"
                + "{\"Sid\":\"no\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":[\"KEY1\"]},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/secret/*\"}");
        assertEquals(BucketPolicy.Effect.ALLOW, eval(p, null, "s3:GetObject", OBJECTS + "x", Map.of()));
        assertEquals(BucketPolicy.Effect.ALLOW, eval(p, "KEY2", "s3:getobject", OBJECTS + "secret/x", Map.of()));
        assertEquals(BucketPolicy.Effect.DENY, eval(p, "KEY1", "s3:GetObject", OBJECTS + "secret/x", Map.of()));
        assertEquals(BucketPolicy.Effect.NONE, eval(p, null, "s3:PutObject", OBJECTS + "x", Map.of()));
        assertEquals(BucketPolicy.Effect.NONE, eval(p, null, "s3:ListBucket", "arn:aws:s3:::b", Map.of()));
        // DeleteObjects: a Deny of some objects applies to it, an Allow must cover them all
        assertEquals(BucketPolicy.Effect.DENY, p.evaluate(new BucketPolicy.Request("KEY1", "s3:DeleteObject", OBJECTS + "*",
                Map.of(), true)).effect());
    }

    @Test
    void conditionsIncludingMissingKeysAndIfExists() throws S3Exception {
        BucketPolicy p = policy("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotAction\":\"s3:Delete*\",\"Resource\":[\"arn:aws:s3:::b\",\"arn:aws:s3:::b/*\"],"
                + "\"Condition\":{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"},\"StringNotLikeIfExists\":{\"s3:prefix\":\"private/*\"},"
                + "\"Bool\":{\"aws:SecureTransport\":\"true\"}}}");
        Map<String, List<String>> tls = Map.of("aws:sourceip", List.of("192.0.2.1"), "aws:securetransport", List.of("true"));
        assertEquals(BucketPolicy.Effect.ALLOW, eval(p, null, "s3:GetObject", OBJECTS + "k", tls));
        assertEquals(BucketPolicy.Effect.NONE, eval(p, null, "s3:DeleteObject", OBJECTS + "k", tls));
        assertEquals(BucketPolicy.Effect.NONE, eval(p, null, "s3:GetObject", OBJECTS + "k",
                Map.of("aws:sourceip", List.of("10.1.2.3"), "aws:securetransport", List.of("true"))));
        assertEquals(BucketPolicy.Effect.NONE, eval(p, null, "s3:GetObject", OBJECTS + "k",
                Map.of("aws:sourceip", List.of("192.0.2.1"), "aws:securetransport", List.of("false"))));
        assertEquals(BucketPolicy.Effect.NONE, eval(p, null, "s3:ListBucket", "arn:aws:s3:::b",
                Map.of("aws:sourceip", List.of("192.0.2.1"), "aws:securetransport", List.of("true"), "s3:prefix", List.of("private/x"))));
        // a positive operator on a missing key is false, its IfExists form true
        BucketPolicy prefixed = policy("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b*\","
                + "\"Condition\":{\"StringEquals\":{\"s3:prefix\":[\"\",\"home/\"]}}}");
        assertEquals(BucketPolicy.Effect.NONE, eval(prefixed, null, "s3:GetObject", OBJECTS + "k", Map.of()));
        assertEquals(BucketPolicy.Effect.ALLOW, eval(prefixed, null, "s3:ListBucket", "arn:aws:s3:::b", Map.of("s3:prefix", List.of("home/"))));
        BucketPolicy ifExists = policy("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\","
                + "\"Condition\":{\"StringEqualsIfExists\":{\"s3:prefix\":\"home/\"}}}");
        assertEquals(BucketPolicy.Effect.ALLOW, eval(ifExists, null, "s3:GetObject", OBJECTS + "k", Map.of()));
    }

    @Test
    void publicIsAnAllowToEveryoneNotNarrowedByAddress() throws S3Exception {
        assertTrue(policy("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}").isPublic());
        assertFalse(policy("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\","
                + "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}}").isPublic());
        assertTrue(policy("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\","
                + "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/1\"}}}").isPublic());
        assertFalse(policy("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"K\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\"}").isPublic());
        assertFalse(policy("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\"}").isPublic());
    }

    @Test
    void refusals() {
        assertEquals("MalformedPolicy", assertThrows(S3Exception.class, () -> BucketPolicy.parse("{nope", "b")).code());
        assertEquals("MalformedPolicy", assertThrows(S3Exception.class, () -> policy(
                "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}")).code());
        assertEquals("MalformedPolicy", assertThrows(S3Exception.class, () -> policy(
                "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ec2:RunInstances\",\"Resource\":\"arn:aws:s3:::b/*\"}")).code());
        assertEquals("MalformedPolicy", assertThrows(S3Exception.class, () -> policy(
                "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\","
                        + "\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"not-an-ip\"}}}")).code());
        assertEquals("MalformedPolicy", assertThrows(S3Exception.class, () -> policy(
                "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\","
                        + "\"Condition\":{\"StringSortOf\":{\"s3:prefix\":\"x\"}}}")).code());
        assertEquals("NotImplemented", assertThrows(S3Exception.class, () -> policy(
                "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\","
                        + "\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-1\"}}}")).code());
        assertEquals("NotImplemented", assertThrows(S3Exception.class, () -> policy(
                "{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"K\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\"}")).code());
        assertEquals("MalformedPolicy", assertThrows(S3Exception.class, () -> BucketPolicy.parse(
                "{\"Version\":\"2012-10-17\",\"Statement\":[]}", "b")).code());
        assertEquals("NotImplemented", assertThrows(S3Exception.class, () -> policy(
                "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\","
                        + "\"Condition\":{\"NumericLessThan\":{\"s3:max-keys\":\"10\"}}}")).code());
        assertEquals("MalformedPolicy", assertThrows(S3Exception.class, () -> policy(
                "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\","
                        + "\"Condition\":{\"DateLessThan\":{\"aws:CurrentTime\":\"next tuesday\"}}}")).code());
        assertEquals("MalformedPolicy", assertThrows(S3Exception.class, () -> policy(
                "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\","
                        + "\"Condition\":{\"StringEquals\":{\"aws:CurrentTime\":\"2030-01-01\"}}}")).code());
    }

    @Test
    void dateConditionsOnTheCurrentTime() throws S3Exception {
        BucketPolicy p = policy("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\","
                + "\"Condition\":{\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"},"
                + "\"DateGreaterThanEquals\":{\"aws:CurrentTime\":\"2029-01-01\"}}}");
        assertEquals(BucketPolicy.Effect.ALLOW, eval(p, null, "s3:GetObject", OBJECTS + "k",
                Map.of("aws:currenttime", List.of("2029-06-01T12:00:00Z"))));
        assertEquals(BucketPolicy.Effect.NONE, eval(p, null, "s3:GetObject", OBJECTS + "k",
                Map.of("aws:currenttime", List.of("2030-01-01T00:00:00Z"))), "DateLessThan is strict");
        assertEquals(BucketPolicy.Effect.NONE, eval(p, null, "s3:GetObject", OBJECTS + "k",
                Map.of("aws:currenttime", List.of("2028-12-31T23:59:59.999Z"))));
        BucketPolicy epoch = policy("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\","
                + "\"Condition\":{\"DateGreaterThan\":{\"aws:CurrentTime\":\"1893456000\"}}}");
        assertEquals(BucketPolicy.Effect.DENY, eval(epoch, null, "s3:GetObject", OBJECTS + "k",
                Map.of("aws:currenttime", List.of("2030-01-01T00:00:01Z"))));
        assertEquals(BucketPolicy.Effect.NONE, eval(epoch, null, "s3:GetObject", OBJECTS + "k",
                Map.of("aws:currenttime", List.of("2029-12-31T00:00:00Z"))));
    }

    @Test
    void escapedWildcardsMatchThemselves() {
        assertTrue(BucketPolicy.matches("arn:aws:s3:::b/a${*}b", "arn:aws:s3:::b/a*b", false));
        assertFalse(BucketPolicy.matches("arn:aws:s3:::b/a${*}b", "arn:aws:s3:::b/axxb", false));
        assertTrue(BucketPolicy.matches("arn:aws:s3:::b/${?}${$}*", "arn:aws:s3:::b/?$tail", false));
        assertFalse(BucketPolicy.matches("arn:aws:s3:::b/${?}*", "arn:aws:s3:::b/x", false));
        assertTrue(BucketPolicy.matches(BucketPolicy.literal("k*?$") + "*", "k*?$/more", false));
        assertTrue(BucketPolicy.matches("s3:Get*", "s3:getobject", true));
    }
}
