package io.hifadhi.api.s3;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class XmlTest {
    private final XmlReader reader = new XmlReader(4096, 50);

    @Test
    void writerEscapesTextAndReplacesWhatXmlCannotCarry() {
        String doc = XmlWriter.document("R").element("Key", "a<b>&\"c'\u0001\n").finish();
        assertTrue(doc.startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"), doc);
        assertTrue(doc.endsWith("<Key>a&lt;b&gt;&amp;&quot;c&apos;\uFFFD&#10;</Key></R>"), doc);
    }

    @Test
    void writerOutputParsesBackToTheSameText() throws Exception {
        String key = "dir/ü 😀 <&> \"q\" \t tab";
        byte[] doc = XmlWriter.plainDocument("Delete").start("Object").element("Key", key).end().finishBytes();
        XmlElement root = reader.parse(doc);
        assertEquals(key.trim(), root.child("Object").orElseThrow().childText("Key").orElseThrow());
    }

    @Test
    void readsADeleteDocumentWithNamespace() throws Exception {
        XmlElement root = reader.parse(("<?xml version=\"1.0\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<Quiet>true</Quiet><Object><Key>a</Key></Object><Object><Key>b&amp;c</Key></Object></Delete>")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("Delete", root.name());
        assertEquals("true", root.childText("Quiet").orElseThrow());
        assertEquals(2, root.children("Object").size());
        assertEquals("b&c", root.children("Object").get(1).childText("Key").orElseThrow());
    }

    @Test
    void refusesExternalEntities() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<Delete><Object><Key>&x;</Key></Object></Delete>";
        S3Exception e = assertThrows(S3Exception.class, () -> reader.parse(xxe.getBytes(StandardCharsets.UTF_8)));
        assertEquals("MalformedXML", e.code());
        assertTrue(!e.getMessage().contains("root:"), e.getMessage());
    }

    @Test
    void refusesEntityExpansionAndAnyDoctype() {
        String bomb = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]><Delete>&b;</Delete>";
        assertEquals("MalformedXML", assertThrows(S3Exception.class, () -> reader.parse(bomb.getBytes(StandardCharsets.UTF_8))).code());
        String plain = "<!DOCTYPE Delete><Delete/>";
        assertEquals("MalformedXML", assertThrows(S3Exception.class, () -> reader.parse(plain.getBytes(StandardCharsets.UTF_8))).code());
    }

    @Test
    void refusesMalformedEmptyOversizedAndTooDeepDocuments() {
        assertEquals("MalformedXML", assertThrows(S3Exception.class, () -> reader.parse("<Delete><Object>".getBytes())).code());
        assertEquals("MalformedXML", assertThrows(S3Exception.class, () -> reader.parse(new byte[0])).code());
        assertEquals("MalformedXML", assertThrows(S3Exception.class,
                () -> reader.read(new ByteArrayInputStream(("<D>" + "x".repeat(5000) + "</D>").getBytes()))).code());
        String deep = "<a>".repeat(20) + "</a>".repeat(20);
        assertEquals("MalformedXML", assertThrows(S3Exception.class, () -> reader.parse(deep.getBytes())).code());
        String many = "<D>" + "<O/>".repeat(60) + "</D>";
        assertEquals("MalformedXML", assertThrows(S3Exception.class, () -> reader.parse(many.getBytes())).code());
    }
}
