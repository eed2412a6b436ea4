package io.hifadhi.api.s3;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * S3 object tags: parsed from a Tagging document (PutObjectTagging) or an {@code x-amz-tagging} header (URL-encoded
 * query form, PutObject and CreateMultipartUpload), validated as S3 validates them, and rendered back. A lifecycle
 * rule's Tag filter passes the same key and value checks.
 */
public final class ObjectTags {
    public static final int MAX_TAGS = 10;
    /** A bucket holds more tags than an object. */
    public static final int MAX_BUCKET_TAGS = 50;
    public static final int MAX_KEY_LENGTH = 128;
    public static final int MAX_VALUE_LENGTH = 256;
    /** What S3 allows in a key or value: letters, digits and spaces in any script, and + - = . _ : / @. */
    private static final Pattern ALLOWED = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

    private ObjectTags() {
    }

    /** Tags from an {@code x-amz-tagging} header: {@code key1=value1&key2=value2}, both URL-encoded. */
    public static Map<String, String> fromHeader(String header) throws S3Exception {
        Map<String, String> tags = new LinkedHashMap<>();
        if (header.isEmpty()) {
            return tags;
        }
        for (String pair : header.split("&", -1)) {
            int eq = pair.indexOf('=');
            String key;
            String value;
            try {
                key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw invalid("The x-amz-tagging header is not a valid URL-encoded query string (" + e.getMessage() + ").");
            }
            add(tags, key, value, MAX_TAGS, "an object");
        }
        return tags;
    }

    /** Tags from a {@code <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>} document. */
    public static Map<String, String> fromXml(XmlElement root) throws S3Exception {
        return fromXml(root, MAX_TAGS, "an object");
    }

    /** A PutBucketTagging document in the canonical form kept with the bucket (tags in key order). */
    static String bucketDocument(XmlElement root) throws S3Exception {
        return toXml(fromXml(root, MAX_BUCKET_TAGS, "a bucket")).finish();
    }

    /** @param holder what the tags are for in the message, "an object" or "a bucket" */
    private static Map<String, String> fromXml(XmlElement root, int max, String holder) throws S3Exception {
        if (!root.name().equals("Tagging") || root.children().size() != 1 || root.child("TagSet").isEmpty()) {
            throw malformed("The body must be a Tagging document holding one TagSet.");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (XmlElement tag : root.child("TagSet").get().children()) {
            Map.Entry<String, String> kv = tag(tag);
            add(tags, kv.getKey(), kv.getValue(), max, holder);
        }
        return tags;
    }

    /** One {@code <Tag><Key/><Value/></Tag>}, its key and value checked. */
    static Map.Entry<String, String> tag(XmlElement tag) throws S3Exception {
        if (!tag.name().equals("Tag")) {
            throw malformed("Unexpected element " + tag.name() + " where a Tag belongs.");
        }
        for (XmlElement child : tag.children()) {
            if (!child.name().equals("Key") && !child.name().equals("Value")) {
                throw malformed("Unexpected element " + child.name() + " in Tag.");
            }
        }
        if (tag.children("Key").size() != 1 || tag.children("Value").size() != 1) {
            throw malformed("Every Tag needs exactly one Key and one Value.");
        }
        String key = tag.child("Key").get().text();
        String value = tag.child("Value").get().text();
        check(key, value);
        return Map.entry(key, value);
    }

    private static void add(Map<String, String> tags, String key, String value, int max, String holder) throws S3Exception {
        check(key, value);
        if (tags.putIfAbsent(key, value) != null) {
            throw invalid("Cannot provide multiple Tags with the same key: '" + clip(key) + "'.");
        }
        if (tags.size() > max) {
            throw invalid("Object tags cannot be greater than " + max + ": " + holder + " holds at most " + max + " tags.");
        }
    }

    /** The checks S3 applies to one tag. */
    static void check(String key, String value) throws S3Exception {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw invalid("The TagKey you have provided is invalid: a tag key is 1 to " + MAX_KEY_LENGTH
                    + " characters long (got " + key.length() + ").");
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            throw invalid("The TagValue you have provided is invalid: a tag value is at most " + MAX_VALUE_LENGTH
                    + " characters long (got " + value.length() + ").");
        }
        if (!ALLOWED.matcher(key).matches()) {
            throw invalid("The TagKey you have provided is invalid: '" + clip(key) + "'. Tag keys may hold letters, digits,"
                    + " spaces and + - = . _ : / @ only.");
        }
        if (!ALLOWED.matcher(value).matches()) {
            throw invalid("The TagValue you have provided is invalid: '" + clip(value) + "'. Tag values may hold letters,"
                    + " digits, spaces and + - = . _ : / @ only.");
        }
        if (key.startsWith("aws:")) {
            throw invalid("Your TagKey cannot be prefixed with aws: ('" + clip(key) + "'); that prefix is reserved.");
        }
    }

    /** The GetObjectTagging answer: tags in key order. */
    static XmlWriter toXml(Map<String, String> tags) {
        XmlWriter doc = XmlWriter.document("Tagging").start("TagSet");
        for (Map.Entry<String, String> t : new TreeMap<>(tags).entrySet()) {
            doc.start("Tag").element("Key", t.getKey()).element("Value", t.getValue()).end();
        }
        return doc.end();
    }

    private static S3Exception invalid(String message) {
        return new S3Exception(S3Error.InvalidTag, message);
    }

    private static S3Exception malformed(String why) {
        return LifecycleConfiguration.malformed(why);
    }

    private static String clip(String s) {
        return LifecycleConfiguration.clip(s);
    }
}
