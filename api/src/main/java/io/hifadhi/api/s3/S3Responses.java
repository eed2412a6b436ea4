package io.hifadhi.api.s3;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.xnio.IoUtils;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** Writing S3 answers: XML documents, empty answers, and Error documents. */
public final class S3Responses {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private S3Responses() {
    }

    /** Timestamps inside S3 XML documents, e.g. 2009-10-12T17:50:30.000Z. */
    public static String isoTime(Instant t) {
        return ISO.format(t);
    }

    public static void xml(HttpServerExchange exchange, int status, XmlWriter document) {
        byte[] body = document.finishBytes();
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/xml");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(body));
    }

    /** A stored XML document (a bucket's CORS or lifecycle configuration) as a 200 answer. */
    public static void xml(HttpServerExchange exchange, String document) {
        byte[] body = document.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/xml");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        exchange.getResponseSender().send(ByteBuffer.wrap(body));
    }

    public static void empty(HttpServerExchange exchange, int status) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
        exchange.endExchange();
    }

    public static void error(HttpServerExchange exchange, S3Exception e, String resource, String requestId) {
        if (exchange.isResponseStarted()) {
            // Too late for a status: cut the connection so the client sees a truncated body, never a "complete" one.
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        XmlWriter xml = XmlWriter.plainDocument("Error")
                .element("Code", e.code())
                .element("Message", e.getMessage())
                .element("Resource", resource)
                .element("RequestId", requestId);
        for (Map.Entry<String, String> d : e.details().entrySet()) {
            xml.element(d.getKey(), d.getValue());
        }
        byte[] body = xml.finishBytes();
        exchange.setStatusCode(e.status());
        exchange.getResponseHeaders().remove(Headers.CONTENT_RANGE);
        exchange.getResponseHeaders().remove(Headers.ETAG);
        exchange.getResponseHeaders().remove(Headers.LAST_MODIFIED);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/xml");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        if (exchange.getRequestMethod().toString().equals("HEAD")) {
            exchange.endExchange();
            return;
        }
        exchange.getResponseSender().send(ByteBuffer.wrap(body));
    }
}
