package io.hifadhi.api.s3;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.api.auth.Cidr;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A bucket policy: the IAM grammar S3 takes for buckets, parsed and checked once, then evaluated per request.
 * Statements have an optional Sid, Effect Allow or Deny, a Principal ("*", {"AWS": "*" or access key ids, or
 * {"CanonicalUser": ids}), Action or NotAction (s3:..., wildcards * and ?), Resource or NotResource (ARNs of this
 * bucket and its objects, wildcards), and Condition: StringEquals, StringNotEquals, StringEqualsIgnoreCase,
 * StringNotEqualsIgnoreCase, StringLike, StringNotLike, IpAddress, NotIpAddress, Bool, Null and the Date operators
 * (DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan, DateGreaterThanEquals), each also in
 * its ...IfExists form, on aws:SourceIp, aws:SecureTransport, aws:Referer, aws:UserAgent, aws:userid, aws:CurrentTime,
 * s3:prefix, s3:delimiter, s3:max-keys and s3:x-amz-acl. Patterns take IAM's wildcards * and ?, and its escapes ${*},
 * ${?} and ${$} for those characters themselves. What IAM has but this evaluator does not (NotPrincipal, numeric and
 * ARN operators, other keys) answers NotImplemented naming it, so a policy is never enforced as less than it says.
 *
 * <p>Statements are also made here from other ways of writing the same rules (a native IP grant is an Allow of
 * s3:GetObject to "*" on its object or prefix with aws:SourceIp and aws:CurrentTime conditions, see
 * {@link GrantPolicy}), so that this one evaluator decides for all of them.
 */
final class BucketPolicy {
    /** The largest policy S3 accepts. */
    static final int MAX_BYTES = 20 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final String ARN = "arn:aws:s3:::";
    /** The condition keys understood, by their lower-case form (how requests carry them) to how IAM spells them. */
    private static final Map<String, String> KEYS = spellings("aws:SourceIp", "aws:SecureTransport", "aws:Referer",
            "aws:UserAgent", "aws:userid", "aws:CurrentTime", "s3:prefix", "s3:delimiter", "s3:max-keys", "s3:x-amz-acl");
    private static final Set<String> OPERATORS = Set.of("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike", "IpAddress", "NotIpAddress", "Bool", "Null",
            "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals");
    private static final Pattern OTHER_IAM_OPERATOR = Pattern.compile("(Numeric|Arn|Binary|ForAllValues:|ForAnyValue:).*");

    enum Effect { ALLOW, DENY, NONE }

    /**
     * What a request brings to the evaluation. {@code resource} is an ARN; {@code keys} are lower-case condition keys.
     *
     * @param allObjects the request acts on objects it does not name here (DeleteObjects): a Deny of any object of
     *                   the bucket applies, an Allow only if it covers {@code bucket/*}
     */
    record Request(String accessKey, String action, String resource, Map<String, List<String>> keys, boolean allObjects) {
    }

    /** The outcome, and the statement that decided it (for messages). */
    record Decision(Effect effect, String sid) {
    }

    /** @param key lower case; {@code values} are checked when parsed (addresses and dates parse) */
    record Condition(String operator, boolean ifExists, String key, List<String> values) {
    }

    record Statement(String sid, boolean allow, boolean anyone, List<String> principals, boolean notAction,
                     List<String> actions, boolean notResource, List<String> resources, List<Condition> conditions) {
        Statement {
            principals = List.copyOf(principals);
            actions = List.copyOf(actions);
            resources = List.copyOf(resources);
            conditions = List.copyOf(conditions);
        }

        /** This statement as a policy document writes it (what a PutBucketPolicy of it would enforce the same). */
        ObjectNode toJson() {
            ObjectNode out = JSON.createObjectNode();
            if (!sid.isEmpty()) {
                out.put("Sid", sid);
            }
            out.put("Effect", allow ? "Allow" : "Deny");
            if (anyone) {
                out.put("Principal", "*");
            } else {
                principals.forEach(out.putObject("Principal").putArray("AWS")::add);
            }
            actions.forEach(out.putArray(notAction ? "NotAction" : "Action")::add);
            resources.forEach(out.putArray(notResource ? "NotResource" : "Resource")::add);
            if (!conditions.isEmpty()) {
                ObjectNode all = out.putObject("Condition");
                for (Condition c : conditions) {
                    String operator = c.operator() + (c.ifExists() ? "IfExists" : "");
                    ObjectNode byKey = all.has(operator) ? (ObjectNode) all.get(operator) : all.putObject(operator);
                    c.values().forEach(byKey.putArray(KEYS.getOrDefault(c.key(), c.key()))::add);
                }
            }
            return out;
        }
    }

    private final List<Statement> statements;

    private BucketPolicy(List<Statement> statements) {
        this.statements = List.copyOf(statements);
    }

    /** A policy of statements made by this store rather than parsed (they are valid by construction). */
    static BucketPolicy of(List<Statement> statements) {
        return new BucketPolicy(statements);
    }

    /** The condition keys every request has: the client's address (when known) and the time of the request. */
    static Map<String, List<String>> contextKeys(InetAddress client, Instant now) {
        Map<String, List<String>> keys = new HashMap<>();
        if (client != null) {
            keys.put("aws:sourceip", List.of(client.getHostAddress()));
        }
        keys.put("aws:currenttime", List.of(now.toString()));
        return keys;
    }

    /** {@code text} as a pattern that matches exactly it: IAM's escapes for its wildcard characters. */
    static String literal(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '*', '?', '$' -> b.append("${").append(c).append('}');
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Parses and checks a policy document for {@code bucket}. */
    static BucketPolicy parse(String json, String bucket) throws S3Exception {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw malformed("This policy is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw malformed("A policy is a JSON object with Version and Statement.");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("Version") && !f.equals("Id") && !f.equals("Statement")) {
                throw malformed("Policy has an invalid field: " + clip(f) + ".");
            }
        }
        JsonNode version = root.get("Version");
        if (version != null && !(version.isTextual() && Set.of("2012-10-17", "2008-10-17").contains(version.asText()))) {
            throw malformed("The policy's Version must be \"2012-10-17\" (or \"2008-10-17\").");
        }
        JsonNode list = root.get("Statement");
        if (list == null || (list.isArray() && list.isEmpty())) {
            throw malformed("Missing required field Statement.");
        }
        List<Statement> out = new ArrayList<>();
        for (JsonNode s : list.isArray() ? list : List.of(list)) {
            out.add(statement(s, bucket));
        }
        return new BucketPolicy(List.copyOf(out));
    }

    private static Statement statement(JsonNode s, String bucket) throws S3Exception {
        if (!s.isObject()) {
            throw malformed("Each Statement must be a JSON object.");
        }
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (f.equals("NotPrincipal")) {
                throw new S3Exception(S3Error.NotImplemented, "NotPrincipal is not supported in bucket policies here;"
                        + " write the statement with Principal.");
            }
            if (!Set.of("Sid", "Effect", "Principal", "Action", "NotAction", "Resource", "NotResource", "Condition").contains(f)) {
                throw malformed("Statement has an invalid field: " + clip(f) + ".");
            }
        }
        String sid = s.hasNonNull("Sid") ? s.get("Sid").asText() : "";
        String where = sid.isEmpty() ? "a statement" : "statement '" + clip(sid) + "'";
        String effect = s.hasNonNull("Effect") ? s.get("Effect").asText() : "";
        if (!effect.equals("Allow") && !effect.equals("Deny")) {
            throw malformed("Invalid effect in " + where + ": it must be Allow or Deny.");
        }
        JsonNode principal = s.get("Principal");
        if (principal == null) {
            throw malformed("Missing required field Principal in " + where + ".");
        }
        boolean anyone = false;
        List<String> principals = new ArrayList<>();
        if (principal.isTextual() && principal.asText().equals("*")) {
            anyone = true;
        } else if (principal.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = principal.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getKey().equals("AWS") && !e.getKey().equals("CanonicalUser")) {
                    throw new S3Exception(S3Error.NotImplemented, "Principal type " + clip(e.getKey()) + " is not"
                            + " supported here; name access keys with \"AWS\" or \"CanonicalUser\".");
                }
                for (String id : strings(e.getValue(), "Principal", where)) {
                    if (id.equals("*")) {
                        anyone = true;
                    } else {
                        int user = id.lastIndexOf(":user/");
                        principals.add(user >= 0 ? id.substring(user + 6) : id);
                    }
                }
            }
        } else {
            throw malformed("Invalid principal in " + where + ": use \"*\" or {\"AWS\": [access key ids]}.");
        }
        boolean notAction = s.has("NotAction");
        if (s.has("Action") == notAction) {
            throw malformed(where + " needs exactly one of Action and NotAction.");
        }
        List<String> actions = strings(s.get(notAction ? "NotAction" : "Action"), "Action", where);
        for (String a : actions) {
            if (!a.equals("*") && !a.toLowerCase(Locale.ROOT).matches("s3:[a-z0-9*?]+")) {
                throw malformed("Policy has invalid action: " + clip(a) + " (S3 actions are s3:Name, wildcards allowed).");
            }
        }
        boolean notResource = s.has("NotResource");
        if (s.has("Resource") == notResource) {
            throw malformed(where + " needs exactly one of Resource and NotResource.");
        }
        List<String> resources = strings(s.get(notResource ? "NotResource" : "Resource"), "Resource", where);
        for (String r : resources) {
            String b = r.startsWith(ARN) ? r.substring(ARN.length()).split("/", 2)[0] : null;
            if (b == null || !matches(b, bucket, false)) {
                throw malformed("Policy has invalid resource: " + clip(r) + " (a bucket policy names arn:aws:s3:::"
                        + bucket + " or arn:aws:s3:::" + bucket + "/key patterns).");
            }
        }
        return new Statement(sid, effect.equals("Allow"), anyone, List.copyOf(principals), notAction, actions, notResource,
                resources, conditions(s.get("Condition"), where));
    }

    private static List<Condition> conditions(JsonNode node, String where) throws S3Exception {
        List<Condition> out = new ArrayList<>();
        if (node == null) {
            return out;
        }
        if (!node.isObject()) {
            throw malformed("The Condition of " + where + " must be a JSON object.");
        }
        for (Iterator<Map.Entry<String, JsonNode>> ops = node.fields(); ops.hasNext(); ) {
            Map.Entry<String, JsonNode> op = ops.next();
            String name = op.getKey();
            boolean ifExists = name.endsWith("IfExists");
            String base = ifExists ? name.substring(0, name.length() - "IfExists".length()) : name;
            if (!OPERATORS.contains(base) || (ifExists && base.equals("Null"))) {
                if (OTHER_IAM_OPERATOR.matcher(name).matches()) {
                    throw new S3Exception(S3Error.NotImplemented, "The condition operator " + clip(name) + " is not"
                            + " supported here (String*, Date*, IpAddress, NotIpAddress, Bool, Null and their IfExists forms are).");
                }
                throw malformed("Invalid Condition type: " + clip(name) + ".");
            }
            if (!op.getValue().isObject()) {
                throw malformed("Condition " + clip(name) + " of " + where + " must map keys to values.");
            }
            for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().fields(); keys.hasNext(); ) {
                Map.Entry<String, JsonNode> k = keys.next();
                String key = k.getKey().toLowerCase(Locale.ROOT);
                if (!KEYS.containsKey(key)) {
                    throw new S3Exception(S3Error.NotImplemented, "The condition key " + clip(k.getKey()) + " is not"
                            + " supported here (aws:SourceIp, aws:SecureTransport, aws:Referer, aws:UserAgent, aws:userid,"
                            + " aws:CurrentTime, s3:prefix, s3:delimiter, s3:max-keys, s3:x-amz-acl are).");
                }
                boolean ip = base.endsWith("IpAddress");
                if (ip != key.equals("aws:sourceip")) {
                    throw malformed("aws:SourceIp is compared with IpAddress or NotIpAddress, and only it: " + clip(name)
                            + " on " + clip(k.getKey()) + ".");
                }
                boolean date = base.startsWith("Date");
                if (date != key.equals("aws:currenttime")) {
                    throw malformed("aws:CurrentTime is compared with the Date operators, and only it: " + clip(name)
                            + " on " + clip(k.getKey()) + ".");
                }
                List<String> values = strings(k.getValue(), "Condition", where);
                for (String v : values) {
                    if (ip) {
                        try {
                            Cidr.parse(v);
                        } catch (IllegalArgumentException e) {
                            throw malformed("Invalid IP address in the Condition of " + where + ": " + e.getMessage() + ".");
                        }
                    } else if (date && instant(v) == null) {
                        throw malformed(clip(name) + " takes an ISO 8601 date (2030-01-01 or 2030-01-01T00:00:00Z) or"
                                + " Unix seconds, not '" + clip(v) + "'.");
                    } else if ((base.equals("Bool") || base.equals("Null")) && !v.equals("true") && !v.equals("false")) {
                        throw malformed(clip(name) + " takes true or false, not '" + clip(v) + "'.");
                    }
                }
                out.add(new Condition(base, ifExists, key, values));
            }
        }
        return out;
    }

    private static Map<String, String> spellings(String... keys) {
        Map<String, String> out = new HashMap<>();
        for (String k : keys) {
            out.put(k.toLowerCase(Locale.ROOT), k);
        }
        return Map.copyOf(out);
    }

    /** A string or an array of them (numbers and booleans as their text, as IAM reads them). */
    private static List<String> strings(JsonNode node, String field, String where) throws S3Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode v : node.isArray() ? node : List.of(node)) {
            if (!v.isValueNode() || v.isNull()) {
                throw malformed(field + " of " + where + " must be a string or a list of strings.");
            }
            out.add(v.asText());
        }
        if (out.isEmpty()) {
            throw malformed(field + " of " + where + " is empty.");
        }
        return List.copyOf(out);
    }

    /** IAM's order: any matching Deny decides; else any matching Allow; else nothing is said. */
    Decision evaluate(Request r) {
        Decision allow = null;
        for (Statement s : statements) {
            if (applies(s, r, false)) {
                if (!s.allow()) {
                    return new Decision(Effect.DENY, s.sid());
                }
                if (allow == null) {
                    allow = new Decision(Effect.ALLOW, s.sid());
                }
            }
        }
        return allow != null ? allow : new Decision(Effect.NONE, null);
    }

    /**
     * Whether the policy opens anything to everyone, as S3 counts it: an Allow to "*" not narrowed to a fixed network
     * of at least /8 (IPv4) or /32 (IPv6) by aws:SourceIp.
     */
    boolean isPublic() {
        for (Statement s : statements) {
            if (!s.allow() || !s.anyone()) {
                continue;
            }
            boolean narrowed = s.conditions().stream().anyMatch(c -> c.operator().equals("IpAddress") && !c.ifExists()
                    && c.values().stream().allMatch(v -> {
                        Cidr n = Cidr.parse(v);
                        return n.prefixLength() >= (n.network().getAddress().length == 4 ? 8 : 32);
                    }));
            if (!narrowed) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether an Allow would apply to this request from some client address: the policy limits it to addresses, so a
     * refusal can say so rather than that nothing allows it.
     */
    boolean allowsFromSomeAddress(Request r) {
        return statements.stream().anyMatch(s -> s.allow() && applies(s, r, true));
    }

    private static boolean applies(Statement s, Request r, boolean anyAddress) {
        boolean principal = s.anyone() || (r.accessKey() != null && (s.principals().contains(r.accessKey())
                || s.principals().contains(Owner.of(r.accessKey()).id())));
        if (!principal) {
            return false;
        }
        boolean action = s.actions().stream().anyMatch(a -> matches(a, r.action(), true));
        if (action == s.notAction()) {
            return false;
        }
        boolean resource = s.resources().stream().anyMatch(p -> matches(p, r.resource(), false)
                || (r.allObjects() && !s.allow() && !s.notResource() && coversSomeObject(p, r.resource())));
        if (resource == s.notResource()) {
            return false;
        }
        for (Condition c : s.conditions()) {
            if (!(anyAddress && c.key().equals("aws:sourceip")) && !holds(c, r.keys().get(c.key()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean holds(Condition c, List<String> present) {
        if (c.operator().equals("Null")) {
            return (present == null) == c.values().contains("true");
        }
        boolean negated = c.operator().startsWith("StringNot") || c.operator().equals("NotIpAddress")
                || c.operator().equals("DateNotEquals");
        if (present == null) {
            return c.ifExists() || negated;
        }
        boolean any = false;
        for (String value : present) {
            for (String expected : c.values()) {
                any |= compare(c.operator(), expected, value);
            }
        }
        return negated != any;
    }

    private static boolean compare(String operator, String expected, String value) {
        return switch (operator) {
            case "StringEquals", "StringNotEquals", "Bool" -> expected.equals(value);
            case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase" -> expected.equalsIgnoreCase(value);
            case "StringLike", "StringNotLike" -> matches(expected, value, false);
            case "IpAddress", "NotIpAddress" -> {
                try {
                    InetAddress address = Cidr.parseAddress(value);
                    yield Cidr.parse(expected).contains(address);
                } catch (IllegalArgumentException e) {
                    yield false;
                }
            }
            case "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan",
                    "DateGreaterThanEquals" -> {
                Instant at = instant(value);
                Instant bound = instant(expected);
                if (at == null || bound == null) {
                    yield false;
                }
                int order = at.compareTo(bound);
                yield switch (operator) {
                    case "DateLessThan" -> order < 0;
                    case "DateLessThanEquals" -> order <= 0;
                    case "DateGreaterThan" -> order > 0;
                    case "DateGreaterThanEquals" -> order >= 0;
                    default -> order == 0;
                };
            }
            default -> false;
        };
    }

    /** A date as IAM writes it: ISO 8601 (a day, or a time with zone) or Unix seconds; null when it is neither. */
    private static Instant instant(String text) {
        try {
            if (text.matches("[0-9]{1,12}")) {
                return Instant.ofEpochSecond(Long.parseLong(text));
            }
            if (text.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}")) {
                return java.time.LocalDate.parse(text).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            }
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.DateTimeException | NumberFormatException e) {
            return null;
        }
    }

    /** Whether an object pattern ("arn:aws:s3:::bucket/...") names some object of the bucket of {@code allObjects}. */
    private static boolean coversSomeObject(String pattern, String allObjects) {
        int slash = pattern.indexOf('/', ARN.length());
        return slash > 0 && matches(pattern.substring(0, slash), allObjects.substring(0, allObjects.length() - 2), false);
    }

    /** IAM's wildcards: * any run of characters, ? exactly one; ${*}, ${?} and ${$} are those characters themselves. */
    static boolean matches(String pattern, String text, boolean ignoreCase) {
        String t = ignoreCase ? text.toLowerCase(Locale.ROOT) : text;
        // The pattern as characters, with -1 for *, -2 for ? (escaped ones are plain characters).
        int[] p = new int[pattern.length()];
        int n = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '$' && i + 3 < pattern.length() && pattern.charAt(i + 1) == '{' && pattern.charAt(i + 3) == '}'
                    && "*?$".indexOf(pattern.charAt(i + 2)) >= 0) {
                p[n++] = pattern.charAt(i + 2);
                i += 3;
            } else {
                p[n++] = c == '*' ? -1 : c == '?' ? -2 : ignoreCase ? Character.toLowerCase(c) : c;
            }
        }
        int pi = 0;
        int ti = 0;
        int star = -1;
        int mark = 0;
        while (ti < t.length()) {
            if (pi < n && (p[pi] == -2 || p[pi] == t.charAt(ti))) {
                pi++;
                ti++;
            } else if (pi < n && p[pi] == -1) {
                star = pi++;
                mark = ti;
            } else if (star >= 0) {
                pi = star + 1;
                ti = ++mark;
            } else {
                return false;
            }
        }
        while (pi < n && p[pi] == -1) {
            pi++;
        }
        return pi == n;
    }

    private static S3Exception malformed(String why) {
        return new S3Exception(S3Error.MalformedPolicy, why);
    }

    private static String clip(String s) {
        return AccessControlList.clip(s);
    }
}
