package io.hifadhi.api.s3;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An S3 access control list: who besides the owner may do what. The owner (the bucket's creator) always has
 * FULL_CONTROL, so that grant is implied, never stored. Grantees are the AllUsers group (anyone, unsigned requests
 * included), the AuthenticatedUsers group (any request signed by a key this cluster knows) and single keys (a
 * canonical user id: the access key id, or the id {@link Owner} shows for it). E-mail grantees and the LogDelivery
 * group answer NotImplemented naming them.
 */
public record AccessControlList(List<Entry> entries) {
    static final String ALL_USERS_URI = "http://acs.amazonaws.com/groups/global/AllUsers";
    static final String AUTHENTICATED_USERS_URI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
    static final int MAX_GRANTS = 100;
    /** Only the owner. */
    public static final AccessControlList PRIVATE = new AccessControlList(List.of());

    /** S3's ACL permissions; FULL_CONTROL implies the other four. */
    public enum Right { FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP }

    /** Who a grant is for: a group, or one key by canonical user id. */
    public record Grantee(boolean allUsers, boolean authenticatedUsers, String userId) {
        static final Grantee ALL = new Grantee(true, false, null);
        static final Grantee AUTHENTICATED = new Grantee(false, true, null);

        static Grantee user(String id) {
            return new Grantee(false, false, id);
        }

        /** Whether a request by {@code accessKey} (null: unsigned) is this grantee. */
        boolean covers(String accessKey) {
            if (allUsers) {
                return true;
            }
            if (accessKey == null) {
                return false;
            }
            return authenticatedUsers || userId.equals(accessKey) || userId.equals(Owner.of(accessKey).id());
        }

        boolean isGroup() {
            return allUsers || authenticatedUsers;
        }
    }

    public record Entry(Grantee grantee, Right right) {
    }

    public AccessControlList {
        entries = List.copyOf(new LinkedHashSet<>(entries));
    }

    /** Whether anyone beyond the cluster's own keys is granted something: AWS counts both groups as public. */
    public boolean isPublic() {
        return entries.stream().anyMatch(e -> e.grantee().isGroup());
    }

    /**
     * Whether this list grants {@code needed} to a request by {@code accessKey} (null: unsigned).
     *
     * @param ignorePublic Public Access Block's IgnorePublicAcls: group grants count for nothing
     */
    public boolean allows(String accessKey, Right needed, boolean ignorePublic) {
        for (Entry e : entries) {
            if ((e.right() == needed || e.right() == Right.FULL_CONTROL) && e.grantee().covers(accessKey)
                    && !(ignorePublic && e.grantee().isGroup())) {
                return true;
            }
        }
        return false;
    }

    /**
     * A canned ACL by its x-amz-acl name. For a bucket, bucket-owner-read and bucket-owner-full-control are the
     * owner's control, which it always has: private.
     */
    public static AccessControlList canned(String name) throws S3Exception {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "private", "bucket-owner-read", "bucket-owner-full-control" -> PRIVATE;
            case "public-read" -> new AccessControlList(List.of(new Entry(Grantee.ALL, Right.READ)));
            case "public-read-write" -> new AccessControlList(List.of(new Entry(Grantee.ALL, Right.READ),
                    new Entry(Grantee.ALL, Right.WRITE)));
            case "authenticated-read" -> new AccessControlList(List.of(new Entry(Grantee.AUTHENTICATED, Right.READ)));
            case "log-delivery-write", "aws-exec-read" -> throw new S3Exception(S3Error.NotImplemented, "The canned ACL '"
                    + n + "' is not supported: there is no log delivery group or EC2 service here.", Map.of("Header", "x-amz-acl"));
            default -> throw new S3Exception(S3Error.InvalidArgument, "'" + clip(name) + "' is not a canned ACL (private,"
                    + " public-read, public-read-write, authenticated-read, bucket-owner-read, bucket-owner-full-control).",
                    Map.of("ArgumentName", "x-amz-acl", "ArgumentValue", clip(name)));
        };
    }

    /**
     * The ACL a request asks for with x-amz-acl or the x-amz-grant-* headers; null when it names none. Both at once is
     * InvalidRequest, as on S3.
     */
    static AccessControlList fromHeaders(S3Request r) throws S3Exception {
        String canned = r.header("x-amz-acl");
        List<Entry> granted = new ArrayList<>();
        boolean any = false;
        for (Right right : Right.values()) {
            String header = "x-amz-grant-" + right.name().toLowerCase(Locale.ROOT).replace('_', '-');
            String value = r.header(header);
            if (value == null) {
                continue;
            }
            any = true;
            for (String part : value.split(",")) {
                granted.add(new Entry(granteeFromHeader(header, part.trim()), right));
            }
        }
        if (canned != null && any) {
            throw new S3Exception(S3Error.InvalidRequest, "Specifying both Canned ACLs and Header Grants is not allowed.");
        }
        return canned != null ? canned(canned) : any ? bounded(granted) : null;
    }

    private static Grantee granteeFromHeader(String header, String part) throws S3Exception {
        int eq = part.indexOf('=');
        if (eq < 0) {
            throw new S3Exception(S3Error.InvalidArgument, header + ": '" + clip(part) + "' is not type=\"value\".",
                    Map.of("ArgumentName", header));
        }
        String type = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String value = part.substring(eq + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return switch (type) {
            case "uri" -> groupOf(value);
            case "id" -> Grantee.user(value);
            case "emailaddress" -> throw new S3Exception(S3Error.NotImplemented, header + ": grants by e-mail address are"
                    + " not supported; grant to id=\"ACCESS-KEY-ID\".", Map.of("Header", header));
            default -> throw new S3Exception(S3Error.InvalidArgument, header + ": unknown grantee type '" + clip(type)
                    + "' (uri, id).", Map.of("ArgumentName", header));
        };
    }

    /** S3's limit: an ACL names at most 100 grants (it travels in every record of an object that has one). */
    private static AccessControlList bounded(List<Entry> entries) throws S3Exception {
        AccessControlList acl = new AccessControlList(entries);
        if (acl.entries().size() > MAX_GRANTS) {
            throw new S3Exception(S3Error.MalformedACLError, "An ACL holds at most " + MAX_GRANTS + " grants; this one has "
                    + acl.entries().size() + ". Grant groups (AuthenticatedUsers) or use a bucket policy for more keys.");
        }
        return acl;
    }

    private static Grantee groupOf(String uri) throws S3Exception {
        return switch (uri) {
            case ALL_USERS_URI -> Grantee.ALL;
            case AUTHENTICATED_USERS_URI -> Grantee.AUTHENTICATED;
            default -> throw new S3Exception(S3Error.NotImplemented, "The grantee group '" + clip(uri) + "' is not supported;"
                    + " only AllUsers and AuthenticatedUsers are.");
        };
    }

    /**
     * An AccessControlPolicy document. Its Owner, when given, must be the owner's; a grant to the owner is implied and
     * dropped.
     */
    static AccessControlList fromXml(XmlElement root, Owner owner, String ownerKey) throws S3Exception {
        if (!root.name().equals("AccessControlPolicy")) {
            throw malformed("The body must be an AccessControlPolicy document, not " + clip(root.name()) + ".");
        }
        var ownerElement = root.child("Owner");
        if (ownerElement.isPresent()) {
            String id = ownerElement.get().childText("ID").orElse("");
            if (!id.equals(owner.id()) && !id.equals(ownerKey)) {
                throw new S3Exception(S3Error.AccessDenied, "Access Denied: the AccessControlPolicy names owner '" + clip(id)
                        + "', but the bucket's owner is " + owner.id() + "; ownership cannot be changed.");
            }
        }
        XmlElement list = root.child("AccessControlList").orElseThrow(() -> malformed("AccessControlList is missing."));
        List<Entry> out = new ArrayList<>();
        for (XmlElement grant : list.children()) {
            if (!grant.name().equals("Grant")) {
                throw malformed("AccessControlList may contain only Grant elements, not " + clip(grant.name()) + ".");
            }
            XmlElement grantee = grant.child("Grantee").orElseThrow(() -> malformed("A Grant lacks its Grantee."));
            String permission = grant.childText("Permission").orElseThrow(() -> malformed("A Grant lacks its Permission."));
            Right right;
            try {
                right = Right.valueOf(permission);
            } catch (IllegalArgumentException e) {
                throw malformed("'" + clip(permission) + "' is not a permission (FULL_CONTROL, READ, WRITE, READ_ACP,"
                        + " WRITE_ACP).");
            }
            Grantee who;
            if (grantee.child("URI").isPresent()) {
                who = groupOf(grantee.childText("URI").get());
            } else if (grantee.child("ID").isPresent()) {
                who = Grantee.user(grantee.childText("ID").get());
            } else if (grantee.child("EmailAddress").isPresent()) {
                throw new S3Exception(S3Error.NotImplemented, "Grants by EmailAddress are not supported; grant to the"
                        + " canonical user ID (the access key id).");
            } else {
                throw malformed("A Grantee needs an ID or a URI.");
            }
            boolean toOwner = !who.isGroup() && (who.userId().equals(owner.id()) || who.userId().equals(ownerKey));
            if (!toOwner) {
                out.add(new Entry(who, right));
            }
        }
        return bounded(out);
    }

    /**
     * This list, as an object's ACL, written as the bucket-policy statements it is (one per grant): READ allows
     * s3:GetObject (HEAD too), READ_ACP s3:GetObjectAcl, WRITE_ACP s3:PutObjectAcl, FULL_CONTROL all three; WRITE
     * means nothing on an object. AllUsers is Principal "*"; AuthenticatedUsers is "*" on a signed request (a Null
     * condition on aws:userid); one key is its id.
     *
     * @param resource     the object's ARN pattern
     * @param ignorePublic Public Access Block's IgnorePublicAcls: group grants are left out
     */
    List<BucketPolicy.Statement> objectStatements(String resource, boolean ignorePublic) {
        List<BucketPolicy.Statement> out = new ArrayList<>();
        for (Entry e : entries) {
            List<String> actions = switch (e.right()) {
                case READ -> List.of("s3:GetObject");
                case READ_ACP -> List.of("s3:GetObjectAcl");
                case WRITE_ACP -> List.of("s3:PutObjectAcl");
                case FULL_CONTROL -> List.of("s3:GetObject", "s3:GetObjectAcl", "s3:PutObjectAcl");
                case WRITE -> List.of();
            };
            if (actions.isEmpty() || (ignorePublic && e.grantee().isGroup())) {
                continue;
            }
            Grantee g = e.grantee();
            List<BucketPolicy.Condition> signed = g.authenticatedUsers()
                    ? List.of(new BucketPolicy.Condition("Null", false, "aws:userid", List.of("false"))) : List.of();
            out.add(new BucketPolicy.Statement("", true, g.isGroup(),
                    g.isGroup() ? List.of() : List.of(g.userId()), false, actions, false, List.of(resource), signed));
        }
        return out;
    }

    private static String describe(Grantee g) {
        return g.allUsers() ? "AllUsers" : g.authenticatedUsers() ? "AuthenticatedUsers" : g.userId();
    }

    /** The AccessControlPolicy document S3 answers: the owner's FULL_CONTROL, then the stored grants. */
    XmlWriter toXml(Owner owner) {
        XmlWriter doc = XmlWriter.document("AccessControlPolicy");
        owner.write(doc, "Owner");
        doc.start("AccessControlList");
        writeGrant(doc, Grantee.user(owner.id()), owner.displayName(), Right.FULL_CONTROL);
        for (Entry e : entries) {
            writeGrant(doc, e.grantee(), null, e.right());
        }
        return doc;
    }

    private static void writeGrant(XmlWriter doc, Grantee g, String displayName, Right right) {
        doc.start("Grant");
        doc.start("Grantee", "xmlns:xsi=\"" + XSI + "\" xsi:type", g.isGroup() ? "Group" : "CanonicalUser");
        if (g.isGroup()) {
            doc.element("URI", g.allUsers() ? ALL_USERS_URI : AUTHENTICATED_USERS_URI);
        } else {
            doc.element("ID", g.userId()).element("DisplayName", displayName == null ? g.userId() : displayName);
        }
        doc.end().element("Permission", right.name()).end();
    }

    /** The stored form: one grant a line, "ALL READ", "AUTH READ" or "USER id WRITE"; empty for private. */
    String encode() {
        StringBuilder b = new StringBuilder();
        for (Entry e : entries) {
            b.append(e.grantee().allUsers() ? "ALL" : e.grantee().authenticatedUsers() ? "AUTH" : "USER " + e.grantee().userId())
                    .append(' ').append(e.right().name()).append('\n');
        }
        return b.toString();
    }

    /** Reads {@link #encode()}'s form; null is private. */
    static AccessControlList decode(String stored) {
        if (stored == null || stored.isEmpty()) {
            return PRIVATE;
        }
        List<Entry> out = new ArrayList<>();
        for (String line : stored.split("\n")) {
            String[] f = line.split(" ");
            Grantee g = f[0].equals("ALL") ? Grantee.ALL : f[0].equals("AUTH") ? Grantee.AUTHENTICATED : Grantee.user(f[1]);
            out.add(new Entry(g, Right.valueOf(f[f.length - 1])));
        }
        return new AccessControlList(out);
    }

    /** The grantees and rights this list holds, for messages. */
    Set<String> describe() {
        Set<String> out = new LinkedHashSet<>();
        for (Entry e : entries) {
            out.add(describe(e.grantee()) + " " + e.right());
        }
        return out;
    }

    private static S3Exception malformed(String why) {
        return new S3Exception(S3Error.MalformedACLError, "The XML you provided was not well-formed or did not validate"
                + " against our published schema: " + why);
    }

    static String clip(String s) {
        String c = s.length() > 64 ? s.substring(0, 64) : s;
        return c.replaceAll("\\p{Cntrl}", "?");
    }
}
