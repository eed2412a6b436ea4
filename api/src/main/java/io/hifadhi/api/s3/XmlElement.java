package io.hifadhi.api.s3;

import java.util.List;
import java.util.Optional;

/** A parsed request-body element: local name, its own text (trimmed), child elements in order. */
public record XmlElement(String name, String text, List<XmlElement> children) {
    public XmlElement {
        children = List.copyOf(children);
    }

    public List<XmlElement> children(String childName) {
        return children.stream().filter(c -> c.name.equals(childName)).toList();
    }

    public Optional<XmlElement> child(String childName) {
        return children.stream().filter(c -> c.name.equals(childName)).findFirst();
    }

    public Optional<String> childText(String childName) {
        return child(childName).map(XmlElement::text);
    }
}
