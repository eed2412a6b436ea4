package io.hifadhi.api.s3;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A tiny streaming XML writer for S3 response documents. Text and attribute values are escaped;
 * characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are
 * written as character references only where XML 1.0 allows it and otherwise replaced, because a
 * document with them would not parse in any client. Keys with such characters should be listed
 * with encoding-type=url, which is what S3 recommends too.
 */
public final class XmlWriter {
    private static final String DECLARATION = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    public static final String S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

    private final StringBuilder out = new StringBuilder(256);
    private final Deque<String> open = new ArrayDeque<>();

    private XmlWriter() {
    }

    /** A document whose root element carries the S3 namespace. */
    public static XmlWriter document(String root) {
        XmlWriter w = new XmlWriter();
        w.out.append(DECLARATION).append('<').append(root).append(" xmlns=\"").append(S3_NAMESPACE).append("\">");
        w.open.push(root);
        return w;
    }

    /** A document whose root element has no namespace (S3's Error document). */
    public static XmlWriter plainDocument(String root) {
        XmlWriter w = new XmlWriter();
        w.out.append(DECLARATION).append('<').append(root).append('>');
        w.open.push(root);
        return w;
    }

    public XmlWriter start(String name) {
        out.append('<').append(name).append('>');
        open.push(name);
        return this;
    }

    /** An element with one attribute, e.g. S3's {@code <Grantee xmlns:xsi="..." xsi:type="Group">}. */
    public XmlWriter start(String name, String attribute, String value) {
        out.append('<').append(name).append(' ').append(attribute).append("=\"");
        escape(out, value);
        out.append("\">");
        open.push(name);
        return this;
    }

    public XmlWriter end() {
        out.append("</").append(open.pop()).append('>');
        return this;
    }

    /** {@code <name>text</name>}; nothing at all when text is null. */
    public XmlWriter element(String name, String text) {
        if (text == null) {
            return this;
        }
        out.append('<').append(name).append('>');
        escape(out, text);
        out.append("</").append(name).append('>');
        return this;
    }

    /** Text content of the current element. */
    public XmlWriter text(String text) {
        escape(out, text);
        return this;
    }

    public XmlWriter element(String name, long value) {
        return element(name, Long.toString(value));
    }

    public XmlWriter element(String name, boolean value) {
        return element(name, value ? "true" : "false");
    }

    public String finish() {
        while (!open.isEmpty()) {
            end();
        }
        return out.toString();
    }

    public byte[] finishBytes() {
        return finish().getBytes(StandardCharsets.UTF_8);
    }

    static void escape(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                case '\r' -> b.append("&#13;");
                case '\n' -> b.append("&#10;");
                case '\t' -> b.append("&#9;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        b.append(c).append(s.charAt(++i));
                    } else if (c < 0x20 || Character.isSurrogate(c) || c == 0xFFFE || c == 0xFFFF) {
                        b.append('\uFFFD'); // not representable in XML 1.0, even as a reference
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }
}
