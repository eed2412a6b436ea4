package io.hifadhi.api.s3;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A bucket's CORS rules (PutBucketCors) and the matching S3 applies to browser requests: the first
 * rule whose AllowedOrigin and AllowedMethod match the request, and whose AllowedHeader patterns
 * cover every header a preflight announces, decides. '*' in a pattern matches any run of characters.
 */
public record CorsConfiguration(List<Rule> rules) {
    public static final int MAX_RULES = 100;
    static final Set<String> METHODS = Set.of("GET", "PUT", "HEAD", "POST", "DELETE");

    public CorsConfiguration {
        rules = List.copyOf(rules);
    }

    /** @param maxAgeSeconds -1 when not given */
    public record Rule(String id, List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
                       List<String> exposeHeaders, int maxAgeSeconds) {
        public Rule {
            allowedOrigins = List.copyOf(allowedOrigins);
            allowedMethods = List.copyOf(allowedMethods);
            allowedHeaders = List.copyOf(allowedHeaders);
            exposeHeaders = List.copyOf(exposeHeaders);
        }

        boolean allowsOrigin(String origin) {
            return allowedOrigins.stream().anyMatch(p -> wildcard(p, origin, false));
        }

        /** The Access-Control-Allow-Origin value: '*' when the rule allows any origin. */
        public String allowOriginValue(String origin) {
            return allowedOrigins.contains("*") ? "*" : origin;
        }
    }

    public static CorsConfiguration parse(XmlElement root) throws S3Exception {
        if (!root.name().equals("CORSConfiguration")) {
            throw new S3Exception(S3Error.MalformedXML, "The body must be a CORSConfiguration document.");
        }
        List<XmlElement> ruleElements = root.children("CORSRule");
        if (ruleElements.isEmpty() || ruleElements.size() > MAX_RULES) {
            throw new S3Exception(S3Error.MalformedXML, "A CORSConfiguration needs 1 to " + MAX_RULES + " CORSRule elements.");
        }
        List<Rule> rules = new ArrayList<>();
        for (XmlElement r : ruleElements) {
            List<String> origins = texts(r, "AllowedOrigin");
            List<String> methods = texts(r, "AllowedMethod");
            if (origins.isEmpty() || methods.isEmpty()) {
                throw new S3Exception(S3Error.MalformedXML, "Every CORSRule needs at least one AllowedOrigin and one AllowedMethod.");
            }
            for (String m : methods) {
                if (!METHODS.contains(m)) {
                    throw new S3Exception(S3Error.InvalidRequest, "Found unsupported HTTP method in CORS config. Unsupported method is " + m);
                }
            }
            for (String o : origins) {
                if (o.chars().filter(c -> c == '*').count() > 1) {
                    throw new S3Exception(S3Error.InvalidRequest, "AllowedOrigin \"" + o + "\" can not have more than one wildcard.");
                }
            }
            int maxAge = -1;
            Optional<String> age = r.childText("MaxAgeSeconds");
            if (age.isPresent()) {
                try {
                    maxAge = Integer.parseInt(age.get());
                    if (maxAge < 0) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new S3Exception(S3Error.MalformedXML, "MaxAgeSeconds must be a non-negative integer.");
                }
            }
            rules.add(new Rule(r.childText("ID").orElse(null), origins, methods, texts(r, "AllowedHeader"),
                    texts(r, "ExposeHeader"), maxAge));
        }
        return new CorsConfiguration(rules);
    }

    private static List<String> texts(XmlElement e, String name) {
        return e.children(name).stream().map(XmlElement::text).filter(t -> !t.isEmpty()).toList();
    }

    public String toXml() {
        XmlWriter doc = XmlWriter.document("CORSConfiguration");
        for (Rule r : rules) {
            doc.start("CORSRule").element("ID", r.id());
            r.allowedOrigins().forEach(o -> doc.element("AllowedOrigin", o));
            r.allowedMethods().forEach(m -> doc.element("AllowedMethod", m));
            r.allowedHeaders().forEach(h -> doc.element("AllowedHeader", h));
            r.exposeHeaders().forEach(h -> doc.element("ExposeHeader", h));
            if (r.maxAgeSeconds() >= 0) {
                doc.element("MaxAgeSeconds", r.maxAgeSeconds());
            }
            doc.end();
        }
        return doc.finish();
    }

    /**
     * The rule for a request from {@code origin} with {@code method}; for a preflight,
     * {@code requestHeaders} are the headers it announces (lower-cased), each of which must be allowed.
     */
    public Optional<Rule> match(String origin, String method, List<String> requestHeaders) {
        for (Rule r : rules) {
            if (!r.allowsOrigin(origin) || !r.allowedMethods().contains(method)) {
                continue;
            }
            boolean headersOk = requestHeaders.stream().allMatch(h -> r.allowedHeaders().stream().anyMatch(p -> wildcard(p, h, true)));
            if (headersOk) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Glob match with '*' only; case-insensitive for header names. */
    static boolean wildcard(String pattern, String value, boolean ignoreCase) {
        String regex = java.util.Arrays.stream(pattern.split("\\*", -1)).map(java.util.regex.Pattern::quote)
                .collect(java.util.stream.Collectors.joining(".*"));
        return java.util.regex.Pattern.compile(regex, ignoreCase ? java.util.regex.Pattern.CASE_INSENSITIVE : 0)
                .matcher(value).matches();
    }
}
