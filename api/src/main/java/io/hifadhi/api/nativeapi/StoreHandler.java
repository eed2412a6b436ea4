package io.hifadhi.api.nativeapi;

import io.hifadhi.api.ApiContext;
import io.hifadhi.api.Endpoint;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.BoundedInputStream;
import io.hifadhi.api.http.ContentTypes;
import io.hifadhi.api.multipart.MultipartException;
import io.hifadhi.api.multipart.MultipartReader;
import io.hifadhi.api.multipart.Part;
import io.hifadhi.api.store.ObjectTooLargeException;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POST /api/v1/store: multipart/form-data with parts {@code file} and {@code filename}, and optionally
 * {@code expires_in} (whole seconds: the file reads as absent from then on and is deleted by the node's
 * expiry pass). The file part is streamed into the store as it arrives (the parts may come in either
 * order, so the body is staged first and published under its name once all are known).
 */
public final class StoreHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(StoreHandler.class);
    private static final String USAGE = "Send multipart/form-data with a 'file' part and a 'filename' part, e.g. "
            + "curl -H 'SHARD-KEY: <key>' -F file=@movie.mp4 -F filename=movie.mp4 http://host:7111/api/v1/store";

    /** The longest {@code expires_in}: ten years, in seconds. */
    static final long MAX_EXPIRES_IN = 10L * 365 * 86_400;
    private static final String EXPIRY_HINT = "Send 'expires_in' as a whole number of seconds from 1 to " + MAX_EXPIRES_IN
            + " (e.g. -F expires_in=3600 for an hour), or leave it out for a file that never expires.";

    private final ApiContext context;
    private final long maxObjectSize;

    public StoreHandler(ApiContext context, long maxObjectSize) {
        this.context = context;
        this.maxObjectSize = maxObjectSize;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        if (!Methods.allow(exchange, "POST")) {
            return;
        }
        // Decided before a byte of the body is read, so a 100-continue client never sends it.
        AccessDecision access = context.nativeAccess().check(exchange, NativeOperation.STORE, null);
        if (!access.allowed()) {
            ApiErrors.send(exchange, access.status(), access.error(), access.message(), access.hint());
            return;
        }
        String boundary = MultipartReader.boundaryOf(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE));
        if (boundary == null || !exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE).toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            ApiErrors.send(exchange, 400, "bad_content_type", "The request is not multipart/form-data with a boundary.", USAGE);
            return;
        }
        AtomicLong bytesIn = Endpoint.bytesIn(exchange);
        InputStream body = new BoundedInputStream(exchange.getInputStream(), Long.MAX_VALUE, bytesIn);
        MultipartReader reader = new MultipartReader(body, boundary);
        StagedBody staged = null;
        String declaredType = null;
        String fileName = null;
        Long expiresIn = null;
        try {
            for (Part part = reader.next(); part != null; part = reader.next()) {
                if (part.name().equals("file")) {
                    if (staged != null) {
                        ApiErrors.send(exchange, 400, "duplicate_parameter", "The form has more than one 'file' part.", USAGE);
                        return;
                    }
                    staged = context.store().stage(new BoundedInputStream(part.body(), maxObjectSize, new AtomicLong()));
                    declaredType = part.contentType();
                } else if (part.name().equals("filename")) {
                    fileName = readText(part.body());
                    String problem = fileName == null ? "The filename is longer than " + NativeNames.MAX_NAME_BYTES
                            + " bytes or not valid UTF-8." : NativeNames.problemWithStoredName(fileName);
                    if (problem != null) {
                        ApiErrors.send(exchange, 400, "invalid_filename", problem,
                                "Use a name of at most " + NativeNames.MAX_NAME_BYTES + " UTF-8 bytes without control characters.");
                        return;
                    }
                } else if (part.name().equals("expires_in")) {
                    String text = readText(part.body());
                    expiresIn = text == null ? null : expiresIn(text.trim());
                    if (expiresIn == null) {
                        ApiErrors.send(exchange, 400, "invalid_expiry", "'expires_in' is not a whole number of seconds from 1 to "
                                + MAX_EXPIRES_IN + ".", EXPIRY_HINT);
                        return;
                    }
                }
            }
        } catch (ObjectTooLargeException e) {
            ApiErrors.send(exchange, 413, "too_large", e.getMessage() + ".", "Split the file or raise the node's maximum object size.");
            return;
        } catch (MultipartException e) {
            ApiErrors.send(exchange, 400, "malformed_multipart", "The multipart body is malformed: " + e.getMessage() + ".", USAGE);
            return;
        }
        if (staged == null || fileName == null) {
            ApiErrors.send(exchange, 400, "missing_parameter",
                    "The form lacks the '" + (staged == null ? "file" : "filename") + "' part.", USAGE);
            return;
        }
        String query = context.instanceName() + "@" + fileName;
        String contentType = ContentTypes.choose(declaredType, fileName);
        Instant expiresAt = expiresIn == null ? null : context.clock().instant().plusSeconds(expiresIn);
        PutResult result = context.store().commit(new ObjectWrite(NativeNames.BUCKET, query, contentType, Map.of(), expiresAt), staged);
        LOG.debug("stored {} ({} bytes)", query, result.object().size());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseHeaders().put(Headers.ETAG, "\"" + result.object().etag() + "\"");
        exchange.getResponseSender().send(query);
    }

    /** Seconds from 1 to {@link #MAX_EXPIRES_IN} written as plain digits; null for anything else. */
    static Long expiresIn(String text) {
        if (!text.matches("[0-9]{1,10}")) {
            return null;
        }
        long seconds = Long.parseLong(text);
        return seconds >= 1 && seconds <= MAX_EXPIRES_IN ? seconds : null;
    }

    /** A text field of at most MAX_NAME_BYTES of strict UTF-8; null when longer or malformed. */
    private static String readText(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            if (out.size() > NativeNames.MAX_NAME_BYTES) {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
