package io.hifadhi.api.nativeapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.api.ApiContext;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.Grant;
import io.hifadhi.api.auth.GrantStore;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.JsonBody;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;
import io.hifadhi.api.store.StoredObject;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * POST /api/v1/copy and POST /api/v1/move with {@code {"from": query, "to": query, "overwrite": false}}.
 * The node copies server-side: it streams the source into the store (chunks are content-addressed,
 * so equal chunks are stored once) and carries the content type, user metadata, expiry and live
 * object grants over. A move writes the destination, with its grants, before it deletes the source, so a
 * reader that finds the old name gone finds the new one; it deletes exactly the version it copied
 * ({@link io.hifadhi.api.store.ObjectStore#deleteVersion}), so a write racing the move is never lost.
 */
public final class TransferHandler implements HttpHandler {
    public static final String COPY_PATH = "/api/v1/copy";
    public static final String MOVE_PATH = "/api/v1/move";
    private static final Logger LOG = LoggerFactory.getLogger(TransferHandler.class);
    private static final int MAX_BODY = 8 * 1024;
    private static final Set<String> FIELDS = Set.of("from", "to", "overwrite");
    private static final String USAGE = "POST JSON like {\"from\": \"node-a@a.txt\", \"to\": \"node-a@docs/a.txt\", \"overwrite\": false} "
            + "to " + COPY_PATH + " or " + MOVE_PATH + "; both names are full queries '<instance>@<filename>'.";

    private final ApiContext context;
    private final Supplier<GrantStore> grants;

    public TransferHandler(ApiContext context, Supplier<GrantStore> grants) {
        this.context = context;
        this.grants = grants;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        if (!Methods.allow(exchange, "POST")) {
            return;
        }
        AccessDecision access = context.nativeAccess().check(exchange, NativeOperation.FILES, null);
        if (!access.allowed()) {
            ApiErrors.send(exchange, access.status(), access.error(), access.message(), access.hint());
            return;
        }
        boolean move = exchange.getRequestPath().equals(MOVE_PATH);
        JsonNode json = JsonBody.read(exchange, MAX_BODY, FIELDS, USAGE);
        if (json == null) {
            return;
        }
        String from = text(exchange, json, "from");
        String to = from == null ? null : text(exchange, json, "to");
        if (to == null) {
            return;
        }
        JsonNode overwriteNode = json.get("overwrite");
        if (overwriteNode != null && !overwriteNode.isBoolean()) {
            ApiErrors.send(exchange, 400, "invalid_parameter", "\"overwrite\" must be true or false.", USAGE);
            return;
        }
        boolean overwrite = overwriteNode != null && overwriteNode.booleanValue();
        if (!FileHandler.checkedExisting(exchange, from, USAGE)) {
            return;
        }
        String problem = NativeNames.problemWithNewQuery(to);
        if (problem != null) {
            ApiErrors.send(exchange, 400, "invalid_query", "\"to\": " + problem, USAGE);
            return;
        }
        if (from.equals(to)) {
            ApiErrors.send(exchange, 409, "same_name", "\"from\" and \"to\" name the same file.", "Give the destination another name.");
            return;
        }
        Optional<StoredObject> source = context.store().get(NativeNames.BUCKET, from);
        if (source.isEmpty()) {
            ApiErrors.send(exchange, 404, "not_found", "No file is stored under \"from\".",
                    "Queries look like '<instance>@<filename>' exactly as /api/v1/store returned them; names are case-sensitive.");
            return;
        }
        if (!overwrite && context.store().get(NativeNames.BUCKET, to).isPresent()) {
            ApiErrors.send(exchange, 409, "destination_exists", "A file is already stored under \"to\".",
                    "Choose another name, delete that file first, or send \"overwrite\": true.");
            return;
        }
        if (!context.store().list(NativeNames.BUCKET, to + "/", null, 1).objects().isEmpty()) {
            ApiErrors.send(exchange, 409, "is_directory", "\"to\" names an existing directory.",
                    "Give the file's full new name, e.g. '" + JsonBody.clip(to) + "/" + JsonBody.clip(NativeNames.fileNameOf(from)) + "'.");
            return;
        }
        GrantStore grantStore = grants.get();
        Instant now = context.clock().instant();
        List<Grant> carried = grantStore == null ? List.of()
                : grantStore.objectGrants(NativeNames.BUCKET, from).orElse(List.of()).stream().filter(g -> !g.expiredAt(now)).toList();
        ObjectInfo info = source.get().info();
        StagedBody staged;
        try (InputStream in = source.get().open(0, info.size())) {
            staged = context.store().stage(in);
        }
        // The grants go into the record that stores the copy: the destination is never readable without them.
        PutResult written = context.store().commit(new ObjectWrite(NativeNames.BUCKET, to, info.contentType(), info.userMetadata(),
                info.expiresAt()).withGrants(carried), staged);
        if (move) {
            // Deletes only the version that was copied: a write to "from" that landed after the read, even one racing
            // this delete, is newer than what was copied and stays (a plain delete would lose it).
            context.store().deleteVersion(NativeNames.BUCKET, from, info.version());
            Optional<StoredObject> current = context.store().get(NativeNames.BUCKET, from);
            if (current.isPresent()) {
                ApiErrors.send(exchange, 409, "source_changed", "The file under \"from\" was replaced while it was being moved: "
                        + "the version read is now under \"to\", and the newer one was left under \"from\".",
                        "Check both names; move again to move the newer version.");
                return;
            }
        }
        LOG.debug("{} {} -> {} ({} bytes, {} grants)", move ? "moved" : "copied", from, to, info.size(), carried.size());
        ObjectNode out = NativeJson.object();
        out.put("from", from);
        out.put("to", to);
        out.put("size", written.object().size());
        out.put("etag", written.object().etag());
        out.put("grants", carried.size());
        out.put("replaced", written.replaced());
        NativeJson.send(exchange, move ? 200 : 201, out);
    }

    /** A required string field; null after answering 400. */
    private static String text(HttpServerExchange exchange, JsonNode json, String field) {
        JsonNode n = json.get(field);
        if (n == null || n.isNull()) {
            ApiErrors.send(exchange, 400, "missing_parameter", "\"" + field + "\" is required.", USAGE);
            return null;
        }
        if (!n.isTextual()) {
            ApiErrors.send(exchange, 400, "invalid_parameter", "\"" + field + "\" must be a string.", USAGE);
            return null;
        }
        return n.asText();
    }
}
