package io.hifadhi.api.s3;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"abc", "my-bucket", "my.bucket.v2", "0abc", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void validBucketNames(String name) {
        assertNull(BucketNames.problemWith(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", "Abc", "my_bucket", "-abc", "abc-", "a..b", "192.168.1.1", "xn--abc", "sthree-x",
            "abc-s3alias", "abc--ol-s3", "metrics", "api", "a b c", "", "ab\u00e9", "abc/", "abc\u0000" })
    void invalidBucketNames(String name) {
        assertNotNull(BucketNames.problemWith(name), name);
    }

    @Test
    void bucketNameLengthLimit() {
        assertNotNull(BucketNames.problemWith("a".repeat(64)));
    }

    @Test
    void keysUpTo1024Utf8Bytes() {
        assertNull(ObjectKeys.problemWith("k".repeat(1024)));
        assertNotNull(ObjectKeys.problemWith("k".repeat(1025)));
        assertNull(ObjectKeys.problemWith("\u00e9".repeat(512)));
        assertNotNull(ObjectKeys.problemWith("\u00e9".repeat(512) + "x"));
        assertNotNull(ObjectKeys.problemWith(""));
    }

    @Test
    void ownerIsStablePerAccessKey() {
        assertEquals(Owner.of("AKIA1"), Owner.of("AKIA1"));
        assertTrue(Owner.of("AKIA1").id().matches("[0-9a-f]{64}"));
        assertTrue(!Owner.of("AKIA1").id().equals(Owner.of("AKIA2").id()));
    }

    @Test
    void queryParsingDecodesStrictly() throws Exception {
        Map<String, List<String>> q = S3Router.parseQuery("list-type=2&prefix=a%2Fb+c&delete&x=%E2%82%AC");
        assertEquals(List.of("2"), q.get("list-type"));
        assertEquals(List.of("a/b c"), q.get("prefix"));
        assertEquals(List.of(""), q.get("delete"));
        assertEquals(List.of("\u20ac"), q.get("x"));
        assertEquals("InvalidURI", assertThrows(S3Exception.class, () -> S3Router.parseQuery("a=%ZZ")).code());
        assertEquals("InvalidURI", assertThrows(S3Exception.class, () -> S3Router.parseQuery("a=%C3")).code());
    }

    @Test
    void continuationTokensRoundTripAndRejectGarbage() throws Exception {
        String key = "dir/\u00fc\uD83D\uDE00";
        assertEquals(key, ListObjects.decodeToken(ListObjects.encodeToken(key)));
        assertEquals("InvalidArgument", assertThrows(S3Exception.class, () -> ListObjects.decodeToken("!!!")).code());
        assertEquals("InvalidArgument", assertThrows(S3Exception.class, () -> ListObjects.decodeToken("")).code());
    }

    @Test
    void urlEncodingTypeEncodesLikeS3() {
        assertEquals("a+b%2Fc%26%C3%BC", ListObjects.enc("a b/c&\u00fc", true));
        assertEquals("a b", ListObjects.enc("a b", false));
    }

    @Test
    void copySourceParsing() throws Exception {
        assertEquals(new CopyObject.Source("bkt", "a/b c"), CopyObject.parseSource("/bkt/a/b%20c"));
        assertEquals(new CopyObject.Source("bkt", "k"), CopyObject.parseSource("bkt/k?versionId=null"));
        assertEquals("InvalidArgument", assertThrows(S3Exception.class, () -> CopyObject.parseSource("bkt")).code());
        assertEquals("NotImplemented", assertThrows(S3Exception.class, () -> CopyObject.parseSource("bkt/k?versionId=3")).code());
    }

    @Test
    void awsChunkedIsNotStoredAsContentEncoding() {
        assertEquals("gzip", ObjectHeaders.withoutAwsChunked("aws-chunked,gzip"));
        assertEquals("", ObjectHeaders.withoutAwsChunked("aws-chunked"));
    }
}
