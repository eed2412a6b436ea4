package io.hifadhi.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.server.HttpServerExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Set;

/**
 * The small JSON bodies of the native admin endpoints (presign, grant, keys): bounded in size, a
 * JSON object, and only known fields, so a typo cannot silently mean something else. Each method
 * that returns null has already answered the request with a 4xx whose hint is the endpoint's usage.
 */
public final class JsonBody {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonBody() {
    }

    public static JsonNode read(HttpServerExchange exchange, int maxBytes, Set<String> fields, String usage) throws IOException {
        byte[] body = readBounded(exchange.getInputStream(), maxBytes);
        if (body == null) {
            refuseTooLarge(exchange, maxBytes, usage);
            return null;
        }
        return parse(exchange, body, fields, usage);
    }

    public static JsonNode parse(HttpServerExchange exchange, byte[] body, Set<String> fields, String usage) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            ApiErrors.send(exchange, 400, "malformed_json", "The body is not valid JSON.", usage);
            return null;
        }
        return check(exchange, json, fields, usage);
    }

    /** {@code json} when it is an object holding only {@code fields}. */
    public static JsonNode check(HttpServerExchange exchange, JsonNode json, Set<String> fields, String usage) {
        if (json == null || !json.isObject()) {
            ApiErrors.send(exchange, 400, "malformed_json", "The body must be a JSON object.", usage);
            return null;
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                ApiErrors.send(exchange, 400, "unknown_field", "Unknown field '" + clip(name) + "'.", usage);
                return null;
            }
        }
        return json;
    }

    /** The whole stream, or null as soon as it passes {@code maxBytes}. */
    public static byte[] readBounded(InputStream in, int maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            if (out.size() > maxBytes) {
                return null;
            }
        }
        return out.toByteArray();
    }

    public static void refuseTooLarge(HttpServerExchange exchange, int maxBytes, String usage) {
        ApiErrors.send(exchange, 413, "too_large", "The request body is larger than " + maxBytes + " bytes.", usage);
    }

    /** A client's string made safe to quote in an error message: short, no control characters. */
    public static String clip(String s) {
        String p = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return p.replaceAll("\\p{Cntrl}", "?");
    }
}
