package io.hifadhi.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hifadhi.api.auth.PresignedLink;
import org.w3c.dom.Document;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.hifadhi.node.cli.ClientCommand.JSON;
import static io.hifadhi.node.cli.ClientCommand.OK;
import static io.hifadhi.node.cli.ClientCommand.REFUSED;
import static io.hifadhi.node.cli.ClientCommand.USAGE;
import static io.hifadhi.node.cli.ClientCommand.human;
import static io.hifadhi.node.cli.ClientCommand.listed;

/**
 * The file-system commands (issue #20): {@code cp}, {@code mv}, {@code info}, {@code mkdir}, {@code rmdir} and
 * {@code locate}, and the native directory listing behind {@code ls INSTANCE@DIR/}. Native names go to the native
 * API's file endpoints (server-side, no bytes through this client); {@code cp}/{@code mv} of S3 objects use S3's
 * CopyObject.
 */
final class FileCommands {
    private static final int PAGE = 1000;

    private FileCommands() {
    }

    /** {@code ls INSTANCE@DIR/}: every page of the directory, as text rows or one JSON document. */
    static void listDirectory(ClientCommand.Sub cmd, NodeCalls calls, NativeName dir, boolean recursive) throws Exception {
        ArrayNode entries = JSON.createArrayNode();
        String after = null;
        PrintStream out = cmd.parent.out;
        do {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("limit", Integer.toString(PAGE));
            if (recursive) {
                q.put("recursive", "true");
            }
            if (after != null) {
                q.put("after", after);
            }
            JsonNode page = json(calls.files("GET", NodeCalls.nativePath("/api/v1/dirs/", dir.query()) + "?" + NodeCalls.query(q),
                    null, Map.of()));
            for (JsonNode e : page.path("entries")) {
                entries.add(e);
                if (cmd.settings.json) {
                    continue;
                }
                if (e.path("type").asText().equals("directory")) {
                    out.printf("%19s  %10s  %s%n", "", "DIR", e.path("name").asText());
                } else {
                    out.printf("%s  %10s  %s%n", listed(e.path("last_modified").asText()), human(e.path("size").asLong()),
                            e.path("name").asText());
                }
            }
            after = page.path("truncated").asBoolean() ? page.path("next").asText(null) : null;
        } while (after != null);
        if (cmd.settings.json) {
            ObjectNode r = JSON.createObjectNode().put("directory", dir.query());
            r.set("entries", entries);
            cmd.printJson(r);
        }
    }

    /** {@code cp} and {@code mv}: both names native, or both S3. */
    abstract static class Transfer extends ClientCommand.Sub {
        @Parameters(index = "0", paramLabel = "FROM")
        String from;
        @Parameters(index = "1", paramLabel = "TO", description = "A new name, or a directory (ending in /) the file goes into.")
        String to;
        @Option(names = "--overwrite", description = "Replace a file already stored under TO.")
        boolean overwrite;

        abstract boolean move();

        @Override
        public Integer call() throws Exception {
            String verb = move() ? "moved" : "copied";
            NodeCalls calls = calls();
            if (NativeName.isNative(from) != NativeName.isNative(to)) {
                throw new CliException("cannot " + (move() ? "move" : "copy") + " between an S3 bucket and native files on the node: "
                        + "get the file, then put it", USAGE);
            }
            if (NativeName.isNative(from)) {
                NativeName source = NativeName.file(from);
                NativeName named = NativeName.of(to);
                String target = named.isDirectory() ? named.query() + source.lastName() : named.query();
                ObjectNode body = JSON.createObjectNode().put("from", source.query()).put("to", target).put("overwrite", overwrite);
                JsonNode answer;
                try (InputStream in = calls.files("POST", move() ? "/api/v1/move" : "/api/v1/copy",
                        HttpRequest.BodyPublishers.ofString(body.toString()), Map.of("Content-Type", "application/json")).body()) {
                    answer = JSON.readTree(in);
                } catch (CliException e) {
                    throw e.getMessage().startsWith("destination_exists") ? new CliException(target + " exists; give --overwrite to "
                            + "replace it", REFUSED) : e;
                }
                if (settings.json) {
                    printJson(answer);
                } else {
                    int grants = answer.path("grants").asInt();
                    parent.out.println(verb + " " + source.query() + " to " + target + " (" + human(answer.path("size").asLong())
                            + (grants == 0 ? "" : ", " + grants + (grants == 1 ? " IP grant" : " IP grants") + " carried") + ")");
                }
                return OK;
            }
            ClientCommand.Target source = ClientCommand.Target.file(from);
            ClientCommand.Target dest = ClientCommand.Target.parse(to);
            String key = dest.key() == null || dest.key().endsWith("/")
                    ? (dest.key() == null ? "" : dest.key()) + source.key().substring(source.key().lastIndexOf('/') + 1) : dest.key();
            String destPath = NodeCalls.s3Path(dest.bucket(), key);
            if (source.bucket().equals(dest.bucket()) && source.key().equals(key)) {
                throw new CliException("FROM and TO name the same object", USAGE);
            }
            if (!overwrite && exists(calls, destPath)) {
                throw new CliException(dest.bucket() + "/" + key + " exists; give --overwrite to replace it", REFUSED);
            }
            String copySource = "/" + PresignedLink.encode(source.bucket()) + "/" + PresignedLink.encode(source.key()).replace("%2F", "/");
            Document done = ClientCommand.xml(calls.s3("PUT", destPath, Map.of(), null, HttpResponse.BodyHandlers.ofInputStream(),
                    Map.of("x-amz-copy-source", copySource)));
            if (done.getDocumentElement().getTagName().equals("Error")) {
                throw new CliException("the node could not copy: " + done.getDocumentElement().getTextContent(), ClientCommand.FAILED);
            }
            if (move()) {
                calls.s3("DELETE", NodeCalls.s3Path(source.bucket(), source.key()), Map.of(), null, HttpResponse.BodyHandlers.discarding(), Map.of());
            }
            if (settings.json) {
                printJson(JSON.createObjectNode().put("from", source.bucket() + "/" + source.key()).put("to", dest.bucket() + "/" + key));
            } else {
                parent.out.println(verb + " " + source.bucket() + "/" + source.key() + " to " + dest.bucket() + "/" + key);
            }
            return OK;
        }

        private static boolean exists(NodeCalls calls, String path) throws CliException {
            try {
                calls.s3("HEAD", path, Map.of(), null, HttpResponse.BodyHandlers.discarding(), Map.of());
                return true;
            } catch (CliException e) {
                if (e.exitStatus() == ClientCommand.NOT_FOUND) {
                    return false;
                }
                throw e;
            }
        }
    }

    @Command(name = "cp", mixinStandardHelpOptions = true, description = "Copies a file on the cluster, server-side: "
            + "INSTANCE@PATH to INSTANCE@PATH (native, IP grants come along) or BUCKET/KEY to BUCKET/KEY (S3).")
    static final class Copy extends Transfer {
        @Override
        boolean move() {
            return false;
        }
    }

    @Command(name = "mv", mixinStandardHelpOptions = true, description = "Renames a file on the cluster, server-side. Native: "
            + "the new name appears before the old one goes, IP grants come along, and a write to FROM during the move is "
            + "kept (exit 7, source_changed). S3: a copy, then a delete.")
    static final class Move extends Transfer {
        @Override
        boolean move() {
            return true;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "What the cluster knows about a native file: size, "
            + "type, ETag, dates, expiry, chunks and the nodes holding them, IP grants.")
    static final class Info extends ClientCommand.Sub {
        @Parameters(paramLabel = "INSTANCE@PATH")
        String what;

        @Override
        public Integer call() throws Exception {
            if (!NativeName.isNative(what)) {
                throw new CliException("info is for native files (INSTANCE@PATH); for S3 objects use ls or locate", USAGE);
            }
            NativeName n = NativeName.file(what);
            JsonNode f = json(calls().files("GET", NodeCalls.nativePath("/api/v1/files/", n.query()), null, Map.of()));
            if (settings.json) {
                printJson(f);
                return OK;
            }
            PrintStream out = parent.out;
            out.println(f.path("query").asText());
            row(out, "size", human(f.path("size").asLong()) + " (" + f.path("size").asLong() + " bytes)");
            row(out, "type", f.path("content_type").asText());
            row(out, "etag", f.path("etag").asText());
            row(out, "modified", listed(f.path("last_modified").asText()));
            row(out, "expires", f.path("expires").isNull() ? "never" : listed(f.path("expires_at").asText()));
            row(out, "replicas", String.join(", ", texts(f.path("replicas"))));
            row(out, "chunks", f.path("inline").asBoolean() ? "none (the bytes live inside the record)"
                    : f.path("chunk_count").asInt() + " (hifadhi locate " + f.path("query").asText() + " shows where)");
            List<String> grants = new ArrayList<>();
            for (JsonNode g : f.path("grants")) {
                grants.add(g.path("ip").asText() + (g.path("expires").isNull() ? "" : " until " + listed(g.path("expires_at").asText()))
                        + (g.path("scope").asText().equals("prefix") ? " (prefix " + g.path("prefix").asText() + ")" : "")
                        + (g.path("expired").asBoolean() ? " (expired)" : ""));
            }
            row(out, "grants", grants.isEmpty() ? "none" : String.join(", ", grants));
            return OK;
        }
    }

    @Command(name = "mkdir", mixinStandardHelpOptions = true, description = "Creates a native directory (and its parents); an "
            + "empty directory stays until rmdir.")
    static final class Mkdir extends ClientCommand.Sub {
        @Parameters(paramLabel = "INSTANCE@DIR")
        String what;

        @Override
        public Integer call() throws Exception {
            NativeName dir = directory(what);
            JsonNode answer = json(calls().files("PUT", NodeCalls.nativePath("/api/v1/dirs/", dir.query()), null, Map.of()));
            if (settings.json) {
                printJson(answer);
            } else {
                parent.out.println((answer.path("created").asBoolean() ? "created " : "exists already: ") + answer.path("directory").asText());
            }
            return OK;
        }
    }

    @Command(name = "rmdir", mixinStandardHelpOptions = true, description = "Removes a native directory; one that is not "
            + "empty only with --recursive, which deletes everything in it.")
    static final class Rmdir extends ClientCommand.Sub {
        @Parameters(paramLabel = "INSTANCE@DIR")
        String what;
        @Option(names = {"-r", "--recursive"}, description = "Delete the files and directories in it too.")
        boolean recursive;

        @Override
        public Integer call() throws Exception {
            NativeName dir = directory(what);
            JsonNode answer;
            String path = NodeCalls.nativePath("/api/v1/dirs/", dir.query()) + (recursive ? "?recursive=true" : "");
            try (InputStream in = calls().files("DELETE", path, null, Map.of()).body()) {
                answer = JSON.readTree(in);
            } catch (CliException e) {
                throw e.getMessage().startsWith("directory_not_empty") ? new CliException(dir.query() + " is not empty: remove "
                        + "what is in it first, or give --recursive to delete it with everything in it", REFUSED) : e;
            }
            if (settings.json) {
                printJson(answer);
            } else {
                parent.out.println("removed " + answer.path("directory").asText() + " (" + answer.path("deleted_files").asLong()
                        + " files, " + answer.path("deleted_directories").asLong() + " directory markers)");
            }
            return OK;
        }
    }

    @Command(name = "locate", mixinStandardHelpOptions = true, description = "Where an object lives: the nodes holding its "
            + "record and, per chunk, the nodes holding the chunk. BUCKET/KEY or INSTANCE@PATH. Needs the SHARD-KEY.")
    static final class Locate extends ClientCommand.Sub {
        @Parameters(paramLabel = "BUCKET/KEY | INSTANCE@PATH")
        String what;

        @Override
        public Integer call() throws Exception {
            String path;
            if (NativeName.isNative(what)) {
                path = NodeCalls.nativePath("/api/v1/locate/", NativeName.file(what).query());
            } else {
                ClientCommand.Target t = ClientCommand.Target.file(what);
                path = "/api/v1/locate/" + PresignedLink.encode(t.bucket()) + "/" + PresignedLink.encode(t.key());
            }
            JsonNode loc = json(calls().admin("GET", path, null));
            if (settings.json) {
                printJson(loc);
                return OK;
            }
            PrintStream out = parent.out;
            boolean nativeFile = NativeName.isNative(what);
            int chunks = loc.path("chunks").size();
            out.println((nativeFile ? loc.path("key").asText() : loc.path("bucket").asText() + "/" + loc.path("key").asText()) + "  "
                    + human(loc.path("size").asLong()) + ", " + (loc.path("inline").asBoolean() ? "kept inside its record"
                    : chunks + (chunks == 1 ? " chunk" : " chunks")) + ", version " + loc.path("version").asText());
            row(out, "replicas", String.join(", ", texts(loc.path("replicas"))));
            row(out, "record on", String.join(", ", texts(loc.path("record_holders"))));
            for (JsonNode c : loc.path("chunks")) {
                String id = c.path("id").asText();
                out.printf("  chunk %-4d %10s  %s  %s%n", c.path("index").asInt(), human(c.path("size").asLong()),
                        id.length() > 12 ? id.substring(0, 12) : id, String.join(", ", texts(c.path("holders"))));
            }
            return OK;
        }
    }

    /** The node's JSON answer. */
    private static JsonNode json(HttpResponse<InputStream> answer) throws java.io.IOException {
        try (InputStream in = answer.body()) {
            return JSON.readTree(in);
        }
    }

    /** A native directory argument: INSTANCE@DIR, the trailing '/' optional. */
    private static NativeName directory(String argument) throws CliException {
        NativeName n = NativeName.of(argument);
        if (n == null || n.path().isEmpty()) {
            throw new CliException("'" + argument + "' names no native directory: write INSTANCE@DIR, e.g. node-a@docs/2026",
                    USAGE);
        }
        return n.asDirectory();
    }

    private static void row(PrintStream out, String label, String value) {
        out.printf("  %-10s %s%n", label, value);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
