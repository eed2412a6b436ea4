package io.hifadhi.api.s3;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A bucket's lifecycle rules (PutBucketLifecycleConfiguration), validated as S3 validates them, and the matching the
 * node's lifecycle pass applies: an enabled rule whose filter covers an object expires it {@code Days} after its last
 * modification (or from {@code Date} on), and aborts multipart uploads {@code DaysAfterInitiation} after they began.
 * A {@code Tag} filter (alone or in {@code And}) matches objects holding every one of its tags; the actions that need
 * versioning or storage classes are refused (NotImplemented).
 */
public record LifecycleConfiguration(List<Rule> rules) {
    public static final int MAX_RULES = 1000;
    static final int MAX_ID_LENGTH = 255;
    private static final Set<String> RULE_ELEMENTS = Set.of("ID", "Status", "Filter", "Prefix", "Expiration",
            "AbortIncompleteMultipartUpload", "Transition", "NoncurrentVersionTransition", "NoncurrentVersionExpiration");
    private static final Set<String> FILTER_ELEMENTS = Set.of("Prefix", "Tag", "And", "ObjectSizeGreaterThan", "ObjectSizeLessThan");

    public LifecycleConfiguration {
        rules = List.copyOf(rules);
    }

    /**
     * Which objects a rule covers: keys starting with {@code prefix}, sizes strictly between the bounds (null: no
     * bound), holding every one of {@code tags} (same key, same value). {@code form} keeps how the client wrote it, so
     * GetBucketLifecycleConfiguration answers the same shape.
     */
    public record Filter(String prefix, Long sizeGreaterThan, Long sizeLessThan, Map<String, String> tags, Form form) {
        /** Legacy top-level Prefix; Filter holding one condition (or none); Filter with And. */
        public enum Form { LEGACY_PREFIX, FILTER, AND }

        public Filter {
            tags = Map.copyOf(tags);
        }

        public boolean matches(String key, long size, Map<String, String> objectTags) {
            return key.startsWith(prefix) && (sizeGreaterThan == null || size > sizeGreaterThan)
                    && (sizeLessThan == null || size < sizeLessThan)
                    && tags.entrySet().stream().allMatch(t -> t.getValue().equals(objectTags.get(t.getKey())));
        }
    }

    /**
     * @param expirationDays  0 when the rule expires nothing by age
     * @param expirationDate  null when the rule expires nothing by date
     * @param abortAfterDays  0 when the rule aborts no uploads
     */
    public record Rule(String id, boolean enabled, Filter filter, int expirationDays, Instant expirationDate, int abortAfterDays) {
        /**
         * Whether this rule expires an object now: {@code dayMillis} is the length of a day (shortened only in tests),
         * days count from the object's last modification.
         */
        public boolean expires(String key, long size, Map<String, String> tags, long lastModifiedMillis, long nowMillis,
                               long dayMillis) {
            if (!enabled || !filter.matches(key, size, tags)) {
                return false;
            }
            if (expirationDate != null) {
                return nowMillis >= expirationDate.toEpochMilli();
            }
            return expirationDays > 0 && nowMillis - lastModifiedMillis >= expirationDays * dayMillis;
        }

        /** Whether this rule aborts an upload of {@code key} initiated at {@code initiatedMillis}, now. */
        public boolean aborts(String key, long initiatedMillis, long nowMillis, long dayMillis) {
            return enabled && abortAfterDays > 0 && key.startsWith(filter.prefix())
                    && nowMillis - initiatedMillis >= abortAfterDays * dayMillis;
        }
    }

    /** Whether any rule expires the object (with these tags) now. */
    public boolean expires(String key, long size, Map<String, String> tags, long lastModifiedMillis, long nowMillis,
                           long dayMillis) {
        return rules.stream().anyMatch(r -> r.expires(key, size, tags, lastModifiedMillis, nowMillis, dayMillis));
    }

    /** Whether any rule aborts the upload now. */
    public boolean aborts(String key, long initiatedMillis, long nowMillis, long dayMillis) {
        return rules.stream().anyMatch(r -> r.aborts(key, initiatedMillis, nowMillis, dayMillis));
    }

    /** Whether any enabled rule aborts uploads (the pass reads the upload table only then). */
    public boolean abortsUploads() {
        return rules.stream().anyMatch(r -> r.enabled() && r.abortAfterDays() > 0);
    }

    public static LifecycleConfiguration parse(XmlElement root) throws S3Exception {
        if (!root.name().equals("LifecycleConfiguration")) {
            throw malformed("The body must be a LifecycleConfiguration document.");
        }
        for (XmlElement child : root.children()) {
            if (!child.name().equals("Rule")) {
                throw malformed("Unexpected element " + child.name() + " in LifecycleConfiguration.");
            }
        }
        List<XmlElement> ruleElements = root.children("Rule");
        if (ruleElements.isEmpty() || ruleElements.size() > MAX_RULES) {
            throw malformed("A LifecycleConfiguration needs 1 to " + MAX_RULES + " Rule elements.");
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (XmlElement r : ruleElements) {
            Rule rule = rule(r);
            if (!ids.add(rule.id())) {
                throw new S3Exception(S3Error.InvalidArgument, "Rule ID must be unique. Found same ID for more than one rule: "
                        + rule.id());
            }
            rules.add(rule);
        }
        return new LifecycleConfiguration(rules);
    }

    private static Rule rule(XmlElement r) throws S3Exception {
        for (XmlElement child : r.children()) {
            if (!RULE_ELEMENTS.contains(child.name())) {
                throw malformed("Unexpected element " + child.name() + " in Rule.");
            }
        }
        String id = single(r, "ID").map(XmlElement::text).orElse(null);
        if (id != null && id.length() > MAX_ID_LENGTH) {
            throw new S3Exception(S3Error.InvalidArgument, "ID length should not exceed allowed limit of " + MAX_ID_LENGTH);
        }
        if (id == null || id.isEmpty()) {
            id = UUID.randomUUID().toString(); // S3 names a rule sent without an ID, too
        }
        String status = single(r, "Status").map(XmlElement::text)
                .orElseThrow(() -> malformed("Every Rule needs a Status (Enabled or Disabled)."));
        if (!status.equals("Enabled") && !status.equals("Disabled")) {
            throw malformed("Status must be Enabled or Disabled, not '" + clip(status) + "'.");
        }
        for (String unsupported : List.of("Transition", "NoncurrentVersionTransition", "NoncurrentVersionExpiration")) {
            if (r.child(unsupported).isPresent()) {
                throw new S3Exception(S3Error.NotImplemented, unsupported + " is not implemented by this server: it has one"
                        + " storage class and does not keep object versions. Expiration and AbortIncompleteMultipartUpload are.");
            }
        }
        Filter filter = filter(r);
        int days = 0;
        Instant date = null;
        Optional<XmlElement> expiration = single(r, "Expiration");
        if (expiration.isPresent()) {
            XmlElement e = expiration.get();
            for (XmlElement child : e.children()) {
                if (!Set.of("Days", "Date", "ExpiredObjectDeleteMarker").contains(child.name())) {
                    throw malformed("Unexpected element " + child.name() + " in Expiration.");
                }
            }
            if (e.children().size() != 1) {
                throw malformed("Expiration needs exactly one of Days, Date or ExpiredObjectDeleteMarker.");
            }
            if (e.child("ExpiredObjectDeleteMarker").isPresent()) {
                throw new S3Exception(S3Error.NotImplemented, "ExpiredObjectDeleteMarker is not implemented by this server:"
                        + " it does not keep object versions, so there are no delete markers.");
            }
            if (e.child("Days").isPresent()) {
                days = positive(e.child("Days").get().text(), "'Days' for Expiration action must be a positive integer");
            } else {
                date = midnight(e.child("Date").get().text());
            }
        }
        int abortDays = 0;
        Optional<XmlElement> abort = single(r, "AbortIncompleteMultipartUpload");
        if (abort.isPresent()) {
            XmlElement a = abort.get();
            if (a.children().size() != 1 || a.child("DaysAfterInitiation").isEmpty()) {
                throw malformed("AbortIncompleteMultipartUpload needs exactly one DaysAfterInitiation.");
            }
            abortDays = positive(a.child("DaysAfterInitiation").get().text(),
                    "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer");
            if (filter.sizeGreaterThan() != null || filter.sizeLessThan() != null) {
                throw new S3Exception(S3Error.InvalidRequest,
                        "AbortIncompleteMultipartUpload cannot be specified with an object size filter (an upload has no size yet).");
            }
            if (!filter.tags().isEmpty()) {
                throw new S3Exception(S3Error.InvalidRequest,
                        "AbortIncompleteMultipartUpload cannot be specified with Tags (an upload has no tags until it completes).");
            }
        }
        if (expiration.isEmpty() && abort.isEmpty()) {
            throw new S3Exception(S3Error.InvalidRequest, "At least one action needs to be specified in a rule (rule " + clip(id) + ").");
        }
        return new Rule(id, status.equals("Enabled"), filter, days, date, abortDays);
    }

    private static Filter filter(XmlElement r) throws S3Exception {
        Optional<XmlElement> legacy = single(r, "Prefix");
        Optional<XmlElement> filter = single(r, "Filter");
        if (legacy.isPresent() == filter.isPresent()) {
            throw malformed("Every Rule needs exactly one of Filter or Prefix.");
        }
        if (legacy.isPresent()) {
            return new Filter(legacy.get().text(), null, null, Map.of(), Filter.Form.LEGACY_PREFIX);
        }
        XmlElement f = filter.get();
        for (XmlElement child : f.children()) {
            if (!FILTER_ELEMENTS.contains(child.name())) {
                throw malformed("Unexpected element " + child.name() + " in Filter.");
            }
        }
        if (f.children().size() > 1) {
            throw malformed("A Filter holds one condition: Prefix, Tag, ObjectSizeGreaterThan, ObjectSizeLessThan, or And"
                    + " to combine them.");
        }
        Optional<XmlElement> and = f.child("And");
        if (and.isEmpty()) {
            return conditions(f, Filter.Form.FILTER);
        }
        XmlElement a = and.get();
        for (XmlElement child : a.children()) {
            if (!Set.of("Prefix", "Tag", "ObjectSizeGreaterThan", "ObjectSizeLessThan").contains(child.name())) {
                throw malformed("Unexpected element " + child.name() + " in And.");
            }
        }
        if (a.children().size() < 2) {
            throw malformed("And combines two or more conditions; use the condition alone in Filter.");
        }
        return conditions(a, Filter.Form.AND);
    }

    private static Filter conditions(XmlElement e, Filter.Form form) throws S3Exception {
        String prefix = single(e, "Prefix").map(XmlElement::text).orElse("");
        Long greater = size(e, "ObjectSizeGreaterThan");
        Long less = size(e, "ObjectSizeLessThan");
        if (greater != null && less != null && greater >= less) {
            throw new S3Exception(S3Error.InvalidArgument, "ObjectSizeGreaterThan (" + greater
                    + ") must be less than ObjectSizeLessThan (" + less + ").");
        }
        Map<String, String> tags = new java.util.LinkedHashMap<>();
        for (XmlElement tag : e.children("Tag")) {
            Map.Entry<String, String> kv = ObjectTags.tag(tag);
            if (tags.putIfAbsent(kv.getKey(), kv.getValue()) != null) {
                throw new S3Exception(S3Error.InvalidRequest, "Duplicate Tag Keys are not allowed: '" + clip(kv.getKey())
                        + "' appears twice in a rule's filter.");
            }
        }
        return new Filter(prefix, greater, less, tags, form);
    }

    private static Long size(XmlElement e, String name) throws S3Exception {
        Optional<XmlElement> v = single(e, name);
        if (v.isEmpty()) {
            return null;
        }
        try {
            long n = Long.parseLong(v.get().text());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException ex) {
            throw new S3Exception(S3Error.InvalidArgument, "'" + name + "' must be a non-negative integer, not '"
                    + clip(v.get().text()) + "'.");
        }
    }

    private static int positive(String text, String message) throws S3Exception {
        try {
            int n = Integer.parseInt(text);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new S3Exception(S3Error.InvalidArgument, message + " (got '" + clip(text) + "').");
    }

    /** An ISO 8601 date-time (or bare date) that must fall on midnight UTC, as S3 requires. */
    private static Instant midnight(String text) throws S3Exception {
        Instant at;
        try {
            at = text.length() == 10 ? java.time.LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new S3Exception(S3Error.InvalidArgument, "'Date' must be an ISO 8601 date at midnight GMT, like"
                    + " 2030-01-01T00:00:00Z (got '" + clip(text) + "').");
        }
        if (at.toEpochMilli() % 86_400_000L != 0) {
            throw new S3Exception(S3Error.InvalidArgument, "'Date' must be at midnight GMT (got '" + clip(text) + "').");
        }
        return at;
    }

    /** The element if present once; more than once is malformed. */
    private static Optional<XmlElement> single(XmlElement parent, String name) throws S3Exception {
        List<XmlElement> found = parent.children(name);
        if (found.size() > 1) {
            throw malformed(name + " appears more than once in " + parent.name() + ".");
        }
        return found.stream().findFirst();
    }

    public String toXml() {
        XmlWriter doc = XmlWriter.document("LifecycleConfiguration");
        for (Rule r : rules) {
            doc.start("Rule").element("ID", r.id());
            Filter f = r.filter();
            if (f.form() == Filter.Form.LEGACY_PREFIX) {
                doc.element("Prefix", f.prefix());
            } else {
                doc.start("Filter");
                if (f.form() == Filter.Form.AND) {
                    doc.start("And");
                }
                if (!f.prefix().isEmpty() || (f.form() == Filter.Form.FILTER && f.sizeGreaterThan() == null && f.sizeLessThan() == null
                        && f.tags().isEmpty())) {
                    doc.element("Prefix", f.prefix());
                }
                if (f.sizeGreaterThan() != null) {
                    doc.element("ObjectSizeGreaterThan", f.sizeGreaterThan());
                }
                if (f.sizeLessThan() != null) {
                    doc.element("ObjectSizeLessThan", f.sizeLessThan());
                }
                for (Map.Entry<String, String> t : new java.util.TreeMap<>(f.tags()).entrySet()) {
                    doc.start("Tag").element("Key", t.getKey()).element("Value", t.getValue()).end();
                }
                if (f.form() == Filter.Form.AND) {
                    doc.end();
                }
                doc.end();
            }
            doc.element("Status", r.enabled() ? "Enabled" : "Disabled");
            if (r.expirationDays() > 0 || r.expirationDate() != null) {
                doc.start("Expiration");
                if (r.expirationDate() != null) {
                    doc.element("Date", r.expirationDate().toString());
                } else {
                    doc.element("Days", r.expirationDays());
                }
                doc.end();
            }
            if (r.abortAfterDays() > 0) {
                doc.start("AbortIncompleteMultipartUpload").element("DaysAfterInitiation", r.abortAfterDays()).end();
            }
            doc.end();
        }
        return doc.finish();
    }

    /** S3's MalformedXML, saying what did not validate (tag documents use it too). */
    static S3Exception malformed(String why) {
        return new S3Exception(S3Error.MalformedXML,
                "The XML you provided was not well-formed or did not validate against our published schema: " + why);
    }

    /** Client text fit for an error message: at most 64 characters, no control characters. */
    static String clip(String s) {
        String c = s.length() > 64 ? s.substring(0, 64) : s;
        return c.replaceAll("\\p{Cntrl}", "?");
    }
}
