package io.hifadhi.api.s3;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Parses the small XML documents S3 clients send (Delete, CompleteMultipartUpload) into
 * {@link XmlElement}s. Hardened: any DOCTYPE is refused (so no entity expansion, no external
 * entities, no XXE), the body is read up to a byte limit first, and depth and element count are
 * bounded. Every failure is {@link S3Error#MalformedXML}.
 */
public final class XmlReader {
    public static final int MAX_DEPTH = 8;

    private final int maxBytes;
    private final int maxElements;
    private final XMLInputFactory factory;

    public XmlReader(int maxBytes, int maxElements) {
        this.maxBytes = maxBytes;
        this.maxElements = maxElements;
        this.factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    }

    /** Reads at most maxBytes from {@code body} (more is MalformedXML) and parses it. */
    public XmlElement read(InputStream body) throws IOException, S3Exception {
        byte[] bytes = body.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            throw new S3Exception(S3Error.MalformedXML, "The XML body is larger than " + maxBytes + " bytes.");
        }
        return parse(bytes);
    }

    public XmlElement parse(byte[] bytes) throws S3Exception {
        if (bytes.length == 0) {
            throw malformed("the body is empty");
        }
        XMLStreamReader r = null;
        try {
            r = factory.createXMLStreamReader(new ByteArrayInputStream(bytes));
            Deque<Builder> stack = new ArrayDeque<>();
            XmlElement root = null;
            int elements = 0;
            while (r.hasNext()) {
                int event = r.next();
                switch (event) {
                    case XMLStreamConstants.DTD, XMLStreamConstants.ENTITY_REFERENCE, XMLStreamConstants.ENTITY_DECLARATION,
                            XMLStreamConstants.NOTATION_DECLARATION ->
                            throw malformed("document type declarations and entities are not accepted");
                    case XMLStreamConstants.START_ELEMENT -> {
                        if (root != null) {
                            throw malformed("content after the root element");
                        }
                        if (++elements > maxElements) {
                            throw malformed("more than " + maxElements + " elements");
                        }
                        if (stack.size() >= MAX_DEPTH) {
                            throw malformed("elements nested deeper than " + MAX_DEPTH);
                        }
                        stack.push(new Builder(r.getLocalName()));
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                        if (!stack.isEmpty()) {
                            stack.peek().text.append(r.getText());
                        }
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        Builder done = stack.pop();
                        XmlElement e = new XmlElement(done.name, done.text.toString().trim(), done.children);
                        if (stack.isEmpty()) {
                            root = e;
                        } else {
                            stack.peek().children.add(e);
                        }
                    }
                    default -> {
                    }
                }
            }
            if (root == null) {
                throw malformed("no root element");
            }
            return root;
        } catch (XMLStreamException | RuntimeException e) {
            throw malformed(firstLine(e.getMessage()));
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // nothing held but memory
                }
            }
        }
    }

    private static S3Exception malformed(String why) {
        return new S3Exception(S3Error.MalformedXML,
                "The XML you provided was not well-formed or did not validate against our published schema (" + why + ").");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable XML";
        }
        String line = s.lines().reduce((a, b) -> b).orElse(s); // the JDK puts the reason on the last line
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    private static final class Builder {
        final String name;
        final StringBuilder text = new StringBuilder();
        final List<XmlElement> children = new ArrayList<>();

        Builder(String name) {
            this.name = name;
        }
    }
}
