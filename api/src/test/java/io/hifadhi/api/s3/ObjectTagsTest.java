package io.hifadhi.api.s3;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObjectTagsTest {
    private final XmlReader reader = new XmlReader(64 * 1024, 100);

    private Map<String, String> xml(String tags) throws S3Exception {
        return ObjectTags.fromXml(reader.parse(("<Tagging><TagSet>" + tags + "</TagSet></Tagging>").getBytes(StandardCharsets.UTF_8)));
    }

    private static String tag(String k, String v) {
        return "<Tag><Key>" + k + "</Key><Value>" + v + "</Value></Tag>";
    }

    private static S3Exception refusal(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(S3Exception.class, e);
    }

    @Test
    void parsesTheHeaderFormUrlDecoded() throws Exception {
        assertEquals(Map.of("project", "blue sky", "a+b", "c/d", "empty", "", "bare", ""),
                ObjectTags.fromHeader("project=blue%20sky&a%2Bb=c%2Fd&empty=&bare"));
        assertEquals(Map.of(), ObjectTags.fromHeader(""));
        assertEquals(Map.of("k", "ü"), ObjectTags.fromHeader("k=%C3%BC"));
    }

    @Test
    void parsesATaggingDocument() throws Exception {
        assertEquals(Map.of("a", "1", "b", ""), xml(tag("a", "1") + tag("b", "")));
        assertEquals(Map.of(), xml(""));
    }

    @Test
    void refusesWhatS3Refuses() throws Exception {
        assertEquals("InvalidTag", refusal(() -> ObjectTags.fromHeader("k=1&k=2")).code(), "same key twice");
        assertEquals("InvalidTag", refusal(() -> xml(tag("k", "1") + tag("k", "2"))).code());
        StringBuilder eleven = new StringBuilder();
        for (int i = 0; i < 11; i++) {
            eleven.append(i == 0 ? "" : "&").append("k").append(i).append("=v");
        }
        S3Exception tooMany = refusal(() -> ObjectTags.fromHeader(eleven.toString()));
        assertEquals("InvalidTag", tooMany.code());
        assertTrue(tooMany.getMessage().contains("10"), tooMany.getMessage());
        ObjectTags.check("k".repeat(128), "v".repeat(256));
        assertEquals("InvalidTag", refusal(() -> ObjectTags.check("k".repeat(129), "v")).code(), "long key");
        assertEquals("InvalidTag", refusal(() -> ObjectTags.check("k", "v".repeat(257))).code(), "long value");
        assertEquals("InvalidTag", refusal(() -> ObjectTags.check("", "v")).code(), "empty key");
        assertEquals("InvalidTag", refusal(() -> ObjectTags.check("a*b", "v")).code(), "character not allowed in a key");
        assertEquals("InvalidTag", refusal(() -> ObjectTags.check("k", "<x>")).code(), "character not allowed in a value");
        assertEquals("InvalidTag", refusal(() -> ObjectTags.check("aws:cost", "v")).code(), "reserved prefix");
        ObjectTags.check("Ünïcode key 1 _.:/=+-@", "välue");
        assertEquals("InvalidTag", refusal(() -> ObjectTags.fromHeader("k=%ZZ")).code(), "bad escape");
        assertEquals("MalformedXML", refusal(() -> xml("<Tag><Key>k</Key></Tag>")).code(), "no value");
        assertEquals("MalformedXML", refusal(() -> xml("<Other/>")).code(), "unknown element");
        assertEquals("MalformedXML", refusal(() -> ObjectTags.fromXml(reader.parse("<Tags/>".getBytes(StandardCharsets.UTF_8))))
                .code(), "wrong root");
    }

    @Test
    void rendersTagsInKeyOrder() {
        String doc = ObjectTags.toXml(Map.of("b", "2", "a", "1")).finish();
        assertTrue(doc.contains("<TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag></TagSet>"), doc);
    }
}
