package io.hifadhi.api.nativeapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.api.ApiContext;
import io.hifadhi.api.auth.AccessDecision;
import io.hifadhi.api.auth.NativeOperation;
import io.hifadhi.api.http.ApiErrors;
import io.hifadhi.api.http.PercentDecoder;
import io.hifadhi.api.s3.Listing;
import io.hifadhi.api.store.ListPage;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.ObjectStore;
import io.hifadhi.api.store.ObjectWrite;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * /api/v1/dirs/&lt;instance&gt;@&lt;path&gt;/: GET lists a directory (one level, or everything below
 * it with {@code recursive=true}), PUT creates it, DELETE removes it. A directory exists while a
 * file's query starts with its prefix or while its marker record (the prefix itself, empty,
 * {@link NativeNames#DIRECTORY_TYPE}) is there; PUT writes markers so that an empty directory stays.
 */
public final class DirectoryHandler implements HttpHandler {
    public static final String PREFIX = "/api/v1/dirs/";
    static final int MAX_LIMIT = Listing.MAX_KEYS;
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryHandler.class);
    private static final int DELETE_BATCH = 500;
    private static final String USAGE = "Use " + PREFIX + "<instance>@<path>/ with the name percent-encoded, e.g. GET "
            + PREFIX + "node-a%40videos%2F?limit=100, PUT to create, DELETE (with ?recursive=true if not empty) to remove.";

    private final ApiContext context;

    public DirectoryHandler(ApiContext context) {
        this.context = context;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws IOException {
        if (!Methods.allow(exchange, "GET", "PUT", "DELETE")) {
            return;
        }
        AccessDecision access = context.nativeAccess().check(exchange, NativeOperation.FILES, null);
        if (!access.allowed()) {
            ApiErrors.send(exchange, access.status(), access.error(), access.message(), access.hint());
            return;
        }
        String method = exchange.getRequestMethod().toString();
        Map<String, String> params = NativeJson.parameters(exchange,
                method.equals("GET") ? Set.of("limit", "after", "recursive") : method.equals("DELETE") ? Set.of("recursive") : Set.of(), USAGE);
        if (params == null) {
            return;
        }
        Boolean recursive = flag(exchange, params.get("recursive"));
        if (recursive == null) {
            return;
        }
        String dirQuery;
        try {
            dirQuery = PercentDecoder.decodePath(exchange.getRequestPath().substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            ApiErrors.send(exchange, 400, "invalid_query", "The directory in the URL is not valid percent-encoded UTF-8 ("
                    + e.getMessage() + ").", USAGE);
            return;
        }
        if (dirQuery.isEmpty()) {
            if (!method.equals("GET")) {
                ApiErrors.send(exchange, 400, "invalid_query", "No directory is named.", USAGE);
                return;
            }
            list(exchange, null, params, false);
            return;
        }
        DirectoryName dir;
        try {
            dir = DirectoryName.parse(dirQuery, method.equals("PUT"));
        } catch (IllegalArgumentException e) {
            ApiErrors.send(exchange, 400, "invalid_query", e.getMessage(), USAGE);
            return;
        }
        switch (method) {
            case "GET" -> list(exchange, dir, params, recursive);
            case "PUT" -> create(exchange, dir);
            default -> remove(exchange, dir, recursive);
        }
    }

    private void list(HttpServerExchange exchange, DirectoryName dir, Map<String, String> params, boolean recursive) throws IOException {
        int limit;
        try {
            limit = params.containsKey("limit") ? Integer.parseInt(params.get("limit")) : MAX_LIMIT;
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            ApiErrors.send(exchange, 400, "invalid_parameter", "\"limit\" must be a whole number from 1 to " + MAX_LIMIT + ".", USAGE);
            return;
        }
        ObjectStore store = context.store();
        String prefix = dir == null ? "" : dir.prefix();
        if (dir != null && !dir.isRoot() && !exists(dir)) {
            noSuchDirectory(exchange);
            return;
        }
        // Outside the instances' roots the "directories" are the instances: queries fold at '@'.
        String delimiter = recursive ? null : dir == null ? "@" : "/";
        String after = params.get("after");
        if (after == null && dir != null && !dir.isRoot()) {
            after = prefix; // the directory's own marker sorts first: start after it
        }
        Listing.Page page = Listing.list((p, start, max) -> store.list(NativeNames.BUCKET, p, start, max), prefix, delimiter, after, limit);
        ObjectNode out = NativeJson.object();
        out.put("directory", prefix);
        ArrayNode entries = out.putArray("entries");
        int o = 0;
        int c = 0;
        // Listing returns files and folded prefixes separately, each in key order; merge them back into one order.
        while (o < page.objects().size() || c < page.commonPrefixes().size()) {
            boolean takeFile = c >= page.commonPrefixes().size()
                    || (o < page.objects().size() && page.objects().get(o).key().compareTo(page.commonPrefixes().get(c)) < 0);
            if (takeFile) {
                ObjectInfo info = page.objects().get(o++);
                if (info.key().equals(prefix)) {
                    continue; // the marker of the directory listed (when resuming exactly at it)
                }
                ObjectNode n = entries.addObject();
                boolean marker = info.key().endsWith("/");
                n.put("type", marker ? "directory" : "file");
                n.put("name", info.key().substring(prefix.length()));
                n.put("query", info.key());
                if (!marker) {
                    n.put("size", info.size());
                    n.put("content_type", info.contentType());
                    n.put("etag", info.etag());
                    n.put("last_modified", info.lastModified().toString());
                }
            } else {
                String sub = page.commonPrefixes().get(c++);
                ObjectNode n = entries.addObject();
                n.put("type", "directory");
                n.put("name", sub.substring(prefix.length()));
                n.put("query", sub);
            }
        }
        out.put("truncated", page.truncated());
        if (page.truncated() && page.last() != null) {
            out.put("next", page.last());
        }
        NativeJson.send(exchange, 200, out);
    }

    private void create(HttpServerExchange exchange, DirectoryName dir) throws IOException {
        if (dir.isRoot()) {
            ApiErrors.send(exchange, 400, "root_directory", "An instance's root directory always exists; it cannot be created.", USAGE);
            return;
        }
        ObjectStore store = context.store();
        for (DirectoryName d : dir.selfAndAncestors()) {
            if (store.get(NativeNames.BUCKET, d.asFileQuery()).isPresent()) {
                ApiErrors.send(exchange, 409, "file_exists", "A file is stored under '" + d.asFileQuery() + "', so no directory can have that name.",
                        "Move or delete the file first, or choose another directory name.");
                return;
            }
        }
        boolean existed = exists(dir);
        int written = 0;
        for (DirectoryName d : dir.selfAndAncestors()) {
            // Markers for the parents too, as mkdir -p: removing this directory later must not make its parents vanish.
            if (store.get(NativeNames.BUCKET, d.prefix()).isEmpty()) {
                store.put(new ObjectWrite(NativeNames.BUCKET, d.prefix(), NativeNames.DIRECTORY_TYPE, Map.of()),
                        new ByteArrayInputStream(new byte[0]));
                written++;
            }
        }
        LOG.debug("directory {}: {} markers written", dir.prefix(), written);
        ObjectNode out = NativeJson.object();
        out.put("directory", dir.prefix());
        out.put("created", !existed);
        NativeJson.send(exchange, existed ? 200 : 201, out);
    }

    private void remove(HttpServerExchange exchange, DirectoryName dir, boolean recursive) throws IOException {
        if (dir.isRoot()) {
            ApiErrors.send(exchange, 400, "root_directory", "An instance's root directory cannot be removed.",
                    "Remove the directories and files in it instead.");
            return;
        }
        ObjectStore store = context.store();
        String prefix = dir.prefix();
        ListPage first = store.list(NativeNames.BUCKET, prefix, null, 2);
        if (first.objects().isEmpty()) {
            noSuchDirectory(exchange);
            return;
        }
        boolean onlyMarker = first.objects().size() == 1 && first.objects().get(0).key().equals(prefix);
        if (!onlyMarker && !recursive) {
            ApiErrors.send(exchange, 409, "directory_not_empty", "The directory '" + prefix + "' is not empty.",
                    "Remove what is in it first, or send ?recursive=true to remove it with everything in it.");
            return;
        }
        long files = 0;
        long directories = 0;
        String cursor = null;
        while (true) {
            ListPage page = store.list(NativeNames.BUCKET, prefix, cursor, DELETE_BATCH);
            for (ObjectInfo o : page.objects()) {
                if (store.delete(NativeNames.BUCKET, o.key())) {
                    if (o.key().endsWith("/")) {
                        directories++;
                    } else {
                        files++;
                    }
                }
                cursor = o.key();
            }
            if (!page.truncated() || page.objects().isEmpty()) {
                break;
            }
        }
        LOG.debug("directory {} removed: {} files, {} markers", prefix, files, directories);
        ObjectNode out = NativeJson.object();
        out.put("directory", prefix);
        out.put("deleted_files", files);
        out.put("deleted_directories", directories);
        NativeJson.send(exchange, 200, out);
    }

    /** Whether anything (a file or a marker, its own or below) is under the directory's prefix. */
    private boolean exists(DirectoryName dir) throws IOException {
        return !context.store().list(NativeNames.BUCKET, dir.prefix(), null, 1).objects().isEmpty();
    }

    private static Boolean flag(HttpServerExchange exchange, String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true") || value.isEmpty()) {
            return true;
        }
        ApiErrors.send(exchange, 400, "invalid_parameter", "\"recursive\" must be true or false.", USAGE);
        return null;
    }

    private static void noSuchDirectory(HttpServerExchange exchange) {
        ApiErrors.send(exchange, 404, "no_such_directory", "Nothing is stored in this directory and it has no marker.",
                "Directories look like '<instance>@<path>/'; create one with PUT, or list the parent to see what exists.");
    }
}
