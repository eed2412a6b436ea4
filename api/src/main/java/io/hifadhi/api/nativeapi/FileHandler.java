package io.hifadhi.api.nativeapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.api.ApiContext;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.Grant;
import io.hifadhi.api.auth.GrantStore;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.PercentDecoder;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.StoredObject;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * GET /api/v1/files/&lt;query&gt; (what is known about a file, as JSON) and DELETE (removes it).
 * Needs the SHARD-KEY. The bytes themselves are at /api/v1/retrieve/&lt;query&gt;.
 */
public final class FileHandler implements HttpHandler {
    public static final String PREFIX = "/api/v1/files/";
    private static final String USAGE = "Use " + PREFIX + "<instance>@<filename> with the query percent-encoded, e.g. "
            + PREFIX + "node-a%40videos%2Fclip.mp4; for directories use " + DirectoryHandler.PREFIX + ".";

    private final ApiContext context;
    private final Supplier<ObjectLocator> locator;
    private final Supplier<GrantStore> grants;

    public FileHandler(ApiContext context, Supplier<ObjectLocator> locator, Supplier<GrantStore> grants) {
        this.context = context;
        this.locator = locator;
        this.grants = grants;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        if (!Methods.allow(exchange, "GET", "DELETE")) {
            return;
        }
        AccessDecision access = context.nativeAccess().check(exchange, NativeOperation.FILES, null);
        if (!access.allowed()) {
            ApiErrors.send(exchange, access.status(), access.error(), access.message(), access.hint());
            return;
        }
        String query = existingQuery(exchange, exchange.getRequestPath().substring(PREFIX.length()), USAGE);
        if (query == null) {
            return;
        }
        if (exchange.getRequestMethod().toString().equals("DELETE")) {
            if (!context.store().delete(NativeNames.BUCKET, query)) {
                notFound(exchange);
                return;
            }
            exchange.setStatusCode(204);
            exchange.endExchange();
            return;
        }
        Optional<StoredObject> object = context.store().get(NativeNames.BUCKET, query);
        if (object.isEmpty()) {
            notFound(exchange);
            return;
        }
        NativeJson.send(exchange, 200, describe(query, object.get().info()));
    }

    private ObjectNode describe(String query, ObjectInfo info) throws IOException {
        ObjectNode out = NativeJson.object();
        out.put("query", query);
        out.put("instance", NativeNames.instanceOf(query));
        out.put("name", NativeNames.fileNameOf(query));
        out.put("size", info.size());
        out.put("content_type", info.contentType());
        out.put("etag", info.etag());
        out.put("last_modified", info.lastModified().toString());
        out.put("version", info.version());
        NativeJson.putFileExpiry(out, info.expiresAt());
        ObjectLocator l = locator.get();
        Optional<ObjectLocator.ObjectLocation> where = l == null ? Optional.empty() : l.locate(NativeNames.BUCKET, query);
        if (where.isPresent()) {
            out.put("chunk_count", where.get().chunks().size());
            NativeJson.putPlacement(out, where.get());
        }
        GrantStore store = grants.get();
        if (store != null) {
            List<Grant> own = store.objectGrants(NativeNames.BUCKET, query).orElse(List.of());
            NativeJson.putGrants(out.putArray("grants"), own, store, NativeNames.BUCKET, query, context.clock().instant());
        }
        return out;
    }

    /**
     * The decoded query of an existing file named in a URL path or body, checked with the rules every
     * stored name meets; null after answering 400.
     */
    static String existingQuery(HttpServerExchange exchange, String raw, String usage) {
        String query;
        try {
            query = PercentDecoder.decodePath(raw);
        } catch (IllegalArgumentException e) {
            ApiErrors.send(exchange, 400, "invalid_query", "The query in the URL is not valid percent-encoded UTF-8 ("
                    + e.getMessage() + ").", usage);
            return null;
        }
        return checkedExisting(exchange, query, usage) ? query : null;
    }

    /** Whether {@code query} may name an existing file; answers 400 when not. */
    static boolean checkedExisting(HttpServerExchange exchange, String query, String usage) {
        if (query.endsWith("/")) {
            ApiErrors.send(exchange, 400, "is_directory", "The query ends with '/', so it names a directory, not a file.",
                    "Directories are listed, created and removed at " + DirectoryHandler.PREFIX + "<instance>@<path>/.");
            return false;
        }
        String problem = query.isEmpty() ? "The query is empty." : NativeNames.problemWithQuery(query);
        if (problem != null) {
            ApiErrors.send(exchange, 400, "invalid_query", problem, usage);
            return false;
        }
        return true;
    }

    static void notFound(HttpServerExchange exchange) {
        ApiErrors.send(exchange, 404, "not_found", "No file is stored under this query.",
                "Queries look like '<instance>@<filename>' exactly as /api/v1/store returned them; names are case-sensitive. "
                        + "List a directory with GET " + DirectoryHandler.PREFIX + "<instance>@<path>/.");
    }
}
