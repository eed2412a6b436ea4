package io.hifadhi.api.signature;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Canonical request and string-to-sign construction, per the SigV4 specification as S3 applies it:
 * the path is URI-encoded once (S3 is the one service that is not double-encoded and not
 * normalised), query parameters are decoded then re-encoded with the RFC 3986 unreserved set and
 * sorted by name then value, header values are trimmed with runs of spaces collapsed.
 * Shared by the verifier and the signer so both always agree.
 */
final class Canonical {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

    private Canonical() {
    }

    /** A decoded query parameter (a parameter without '=' has an empty value). */
    record QueryParam(String name, String value) {
    }

    private static boolean unreserved(int b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
                || b == '-' || b == '_' || b == '.' || b == '~';
    }

    private static void appendEscaped(StringBuilder out, int b) {
        out.append('%').append(UPPER_HEX[(b >> 4) & 0xF]).append(UPPER_HEX[b & 0xF]);
    }

    /** RFC 3986 encoding of text (UTF-8): everything but unreserved characters is %XX-escaped. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 16);
        for (byte value : bytes) {
            int b = value & 0xFF;
            if (unreserved(b)) {
                out.append((char) b);
            } else {
                appendEscaped(out, b);
            }
        }
        return out.toString();
    }

    /**
     * The canonical URI of an S3 request path as received. Escapes are decoded and every byte
     * re-encoded, so a client that left e.g. '$' unescaped and one that sent %24 both canonicalise to
     * %24. A literal '/' separates segments and stays; an escaped %2F stays escaped, because the
     * client meant it as part of a name.
     */
    static String canonicalPath(String rawPath) throws S3AuthException {
        if (rawPath.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder(rawPath.length() + 16);
        int i = 0;
        while (i < rawPath.length()) {
            char c = rawPath.charAt(i);
            if (c == '%') {
                int b = decodeEscape(rawPath, i, "request path");
                appendEscaped(out, b);
                if (unreserved(b)) {
                    out.setLength(out.length() - 3);
                    out.append((char) b);
                }
                i += 3;
            } else if (c == '/') {
                out.append('/');
                i++;
            } else {
                int end = i + Character.charCount(rawPath.codePointAt(i));
                out.append(encode(rawPath.substring(i, end)));
                i = end;
            }
        }
        return out.toString();
    }

    private static int decodeEscape(String s, int at, String where) throws S3AuthException {
        if (at + 2 >= s.length()) {
            throw new S3AuthException(S3ErrorCode.InvalidURI,
                    "The " + where + " ends with an incomplete percent-escape; encode '%' as %25.");
        }
        int hi = Character.digit(s.charAt(at + 1), 16);
        int lo = Character.digit(s.charAt(at + 2), 16);
        if (hi < 0 || lo < 0) {
            throw new S3AuthException(S3ErrorCode.InvalidURI,
                    "The " + where + " contains an invalid percent-escape '" + s.substring(at, at + 3)
                            + "'; encode '%' as %25.");
        }
        return (hi << 4) | lo;
    }

    /** Percent-decodes a query component; '+' means space, as in form encoding. */
    static String decodeQueryComponent(String s) throws S3AuthException {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '%') {
                bytes.write(decodeEscape(s, i, "query string"));
                i += 3;
            } else if (c == '+') {
                bytes.write(' ');
                i++;
            } else {
                int end = i + Character.charCount(s.codePointAt(i));
                bytes.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Splits and decodes a raw query string; empty pieces (as in "a&&b") are skipped. */
    static List<QueryParam> parseQuery(String rawQuery) throws S3AuthException {
        List<QueryParam> params = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String piece : rawQuery.split("&", -1)) {
            if (piece.isEmpty()) {
                continue;
            }
            int eq = piece.indexOf('=');
            String name = eq < 0 ? piece : piece.substring(0, eq);
            String value = eq < 0 ? "" : piece.substring(eq + 1);
            params.add(new QueryParam(decodeQueryComponent(name), decodeQueryComponent(value)));
        }
        return params;
    }

    /** name=value pairs, encoded, sorted by encoded name then encoded value, joined with '&'. */
    static String canonicalQuery(List<QueryParam> params) {
        List<String[]> encoded = new ArrayList<>(params.size());
        for (QueryParam p : params) {
            encoded.add(new String[] {encode(p.name()), encode(p.value())});
        }
        encoded.sort(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]));
        StringBuilder out = new StringBuilder();
        for (String[] p : encoded) {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(p[0]).append('=').append(p[1]);
        }
        return out.toString();
    }

    /** Trims a header value and collapses runs of spaces (and tabs) into one space. */
    static String trimAll(String value) {
        StringBuilder out = new StringBuilder(value.length());
        boolean pendingSpace = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\t') {
                pendingSpace = out.length() > 0;
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Canonical value of a possibly repeated header: trimmed values joined with ','. */
    static String headerValue(List<String> values) {
        StringBuilder out = new StringBuilder();
        for (String v : values) {
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(trimAll(v));
        }
        return out.toString();
    }

    static String canonicalRequest(String method, String canonicalPath, String canonicalQuery,
            List<String> signedHeaders, List<String> headerValues, String payloadHash) {
        StringBuilder out = new StringBuilder(512);
        out.append(method).append('\n').append(canonicalPath).append('\n').append(canonicalQuery).append('\n');
        for (int i = 0; i < signedHeaders.size(); i++) {
            out.append(signedHeaders.get(i)).append(':').append(headerValues.get(i)).append('\n');
        }
        out.append('\n').append(String.join(";", signedHeaders)).append('\n').append(payloadHash);
        return out.toString();
    }

    /** The canonical request of a request as the HTTP layer sees it, over the given (decoded) query parameters. */
    static String canonicalRequest(RequestView request, List<QueryParam> params, List<String> signedHeaders,
            String payloadHash) throws S3AuthException {
        List<String> values = new ArrayList<>(signedHeaders.size());
        for (String name : signedHeaders) {
            values.add(headerValue(request.headers(name)));
        }
        return canonicalRequest(request.method(), canonicalPath(request.rawPath()), canonicalQuery(params),
                signedHeaders, values, payloadHash);
    }

    static String scope(String date, String region) {
        return date + "/" + region + "/s3/aws4_request";
    }

    static String stringToSign(String amzDate, String scope, String canonicalRequest) {
        return ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + Crypto.sha256Hex(canonicalRequest);
    }
}
