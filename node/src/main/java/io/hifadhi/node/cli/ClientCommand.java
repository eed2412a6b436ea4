package io.hifadhi.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code java -jar hifadhi.jar ls|put|get|rm|cp|mv|info|mkdir|rmdir|locate|share|grant|cache|cluster|node ...}: files in
 * and out of any node of a running cluster, over its S3 API (SigV4, the key pair from flags, environment or the config
 * file) for {@code BUCKET/KEY} names and over the native API (SHARD-KEY) for native {@code INSTANCE@PATH} names
 * ({@link NativeName}), and the admin views over the native API. Exit status says what failed.
 */
@Command(name = "hifadhi", mixinStandardHelpOptions = true, version = "hifadhi 0.1.0", usageHelpAutoWidth = true,
        description = "Stores and fetches files on a Hifadhi cluster through any node.",
        subcommands = {ClientCommand.Ls.class, ClientCommand.Put.class, ClientCommand.Get.class, ClientCommand.Rm.class,
                FileCommands.Copy.class, FileCommands.Move.class, FileCommands.Info.class, FileCommands.Mkdir.class,
                FileCommands.Rmdir.class, FileCommands.Locate.class, ClientCommand.Share.class, ClientCommand.Grant.class,
                ClientCommand.CacheObject.class, ClientCommand.Cluster.class, ClientCommand.NodeChange.class},
        footer = {"", "Names: BUCKET/KEY (or s3://BUCKET/KEY) is an S3 object; INSTANCE@PATH (node-a@docs/a.pdf, a directory "
                + "ends with /, @ alone lists the instances) is a native file, managed with the SHARD-KEY.",
                "", "Exit status: 0 done, 1 the node failed, 2 usage, 3 node unreachable, 4 not found, "
                + "5 refused (wrong key or no permission), 6 local file problem, 7 the node refused the request as invalid."})
public final class ClientCommand implements Callable<Integer> {
    public static final Set<String> NAMES = Set.of("ls", "put", "get", "rm", "cp", "mv", "info", "mkdir", "rmdir", "locate", "share", "grant",
            "cache", "cluster", "node");
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int UNREACHABLE = 3;
    static final int NOT_FOUND = 4;
    static final int DENIED = 5;
    static final int LOCAL_FILE = 6;
    static final int REFUSED = 7;
    /** Files from this size go up in parts: each part is retried alone, and memory stays bounded. */
    static final long MULTIPART_FROM = 64L << 20;
    static final long PART_SIZE = 16L << 20;
    private static final int PART_ATTEMPTS = 3;
    static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter LISTED = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    final Map<String, String> env;
    final PrintStream out;
    final PrintStream err;
    final Clock clock;
    final boolean terminal;

    ClientCommand(Map<String, String> env, PrintStream out, PrintStream err, Clock clock, boolean terminal) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.terminal = terminal;
    }

    /** Runs a client command; returns the exit status. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new ClientCommand(env, out, err, Clock.systemUTC(), TransferProgress.interactive()));
        cli.setCommandName("java -jar hifadhi.jar");
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("hifadhi: " + e.getMessage());
            err.println("Try 'java -jar hifadhi.jar " + (a.length > 0 ? a[0] + " " : "") + "--help'.");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliException c) {
                err.println("hifadhi: " + c.getMessage());
                return c.exitStatus();
            }
            err.println("hifadhi: failed: " + e);
            return FAILED;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, err);
        return USAGE;
    }

    /** "bucket", "bucket/key", "bucket/prefix/" or "s3://bucket/key". */
    record Target(String bucket, String key) {
        static Target parse(String text) throws CliException {
            String t = text.startsWith("s3://") ? text.substring(5) : text;
            while (t.startsWith("/")) {
                t = t.substring(1);
            }
            int slash = t.indexOf('/');
            String bucket = slash < 0 ? t : t.substring(0, slash);
            String key = slash < 0 || slash == t.length() - 1 ? null : t.substring(slash + 1);
            if (bucket.isEmpty()) {
                throw new CliException("'" + text + "' names no bucket; write BUCKET/KEY", USAGE);
            }
            return new Target(bucket, key);
        }

        /** A target that must name one file. */
        static Target file(String text) throws CliException {
            Target t = parse(text);
            if (t.key() == null) {
                throw new CliException("'" + text + "' names no file: write BUCKET/KEY", USAGE);
            }
            return t;
        }
    }

    abstract static class Sub implements Callable<Integer> {
        @CommandLine.ParentCommand
        ClientCommand parent;
        @Mixin
        ClientSettings settings;

        NodeCalls calls() throws CliException {
            return new NodeCalls(settings.resolve(parent.env), parent.clock);
        }

        boolean progress() {
            return parent.terminal && !settings.json && !settings.noProgress;
        }

        void printJson(JsonNode node) {
            parent.out.println(node.toString());
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists buckets, or the files and folders under "
            + "BUCKET[/PREFIX]; a native directory INSTANCE@[DIR/] (@ alone: the instances).")
    static final class Ls extends Sub {
        @Parameters(arity = "0..1", paramLabel = "BUCKET[/PREFIX] | INSTANCE@[DIR/]")
        String where;
        @Option(names = {"-r", "--recursive"}, description = "Everything under the prefix, not one folder level.")
        boolean recursive;

        @Override
        public Integer call() throws Exception {
            NodeCalls calls = calls();
            NativeName dir = where == null ? null : NativeName.of(where);
            if (dir != null) {
                FileCommands.listDirectory(this, calls, dir.asDirectory(), recursive);
                return OK;
            }
            if (where == null) {
                Document doc = xml(calls.s3("GET", "/", Map.of(), null, HttpResponse.BodyHandlers.ofInputStream(), Map.of()));
                ArrayNode buckets = JSON.createArrayNode();
                for (Element b : elements(doc.getDocumentElement(), "Bucket")) {
                    buckets.addObject().put("name", text(b, "Name")).put("created", text(b, "CreationDate"));
                }
                if (settings.json) {
                    printJson(JSON.createObjectNode().set("buckets", buckets));
                } else {
                    for (JsonNode b : buckets) {
                        parent.out.printf("%s  %s/%n", listed(b.get("created").asText()), b.get("name").asText());
                    }
                }
                return OK;
            }
            Target t = Target.parse(where);
            String prefix = t.key() == null ? "" : t.key();
            ArrayNode objects = JSON.createArrayNode();
            ArrayNode folders = JSON.createArrayNode();
            String token = null;
            do {
                Map<String, String> q = new LinkedHashMap<>();
                q.put("list-type", "2");
                q.put("prefix", prefix);
                if (!recursive) {
                    q.put("delimiter", "/");
                }
                if (token != null) {
                    q.put("continuation-token", token);
                }
                Document doc = xml(calls.s3("GET", NodeCalls.s3Path(t.bucket(), null), q, null,
                        HttpResponse.BodyHandlers.ofInputStream(), Map.of()));
                for (Element p : elements(doc.getDocumentElement(), "CommonPrefixes")) {
                    String folder = text(p, "Prefix");
                    folders.add(folder);
                    if (!settings.json) {
                        parent.out.printf("%19s  %10s  %s%n", "", "DIR", folder);
                    }
                }
                for (Element c : elements(doc.getDocumentElement(), "Contents")) {
                    ObjectNode o = objects.addObject().put("key", text(c, "Key")).put("size", Long.parseLong(text(c, "Size")))
                            .put("last_modified", text(c, "LastModified")).put("etag", text(c, "ETag"));
                    if (!settings.json) {
                        parent.out.printf("%s  %10s  %s%n", listed(o.get("last_modified").asText()),
                                human(o.get("size").asLong()), o.get("key").asText());
                    }
                }
                token = "true".equals(text(doc.getDocumentElement(), "IsTruncated"))
                        ? text(doc.getDocumentElement(), "NextContinuationToken") : null;
            } while (token != null);
            if (settings.json) {
                ObjectNode r = JSON.createObjectNode().put("bucket", t.bucket()).put("prefix", prefix);
                r.set("folders", folders);
                r.set("objects", objects);
                printJson(r);
            }
            return OK;
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = "Uploads a file to BUCKET/KEY (KEY defaults to the "
            + "file's name; a KEY ending in / is a folder the file goes into).")
    static final class Put extends Sub {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;
        @Parameters(index = "1", paramLabel = "BUCKET[/KEY] | INSTANCE@PATH")
        String to;
        @Option(names = "--content-type", paramLabel = "TYPE", description = "Default: guessed from the name by the node.")
        String contentType;

        @Override
        public Integer call() throws Exception {
            NativeName named = NativeName.of(to);
            Target t = named == null ? Target.parse(to) : null;
            String key = named != null ? (named.isDirectory() ? named.query() + file.getFileName() : named.query())
                    : t.key() == null ? file.getFileName().toString()
                    : t.key().endsWith("/") ? t.key() + file.getFileName() : t.key();
            long size;
            try {
                if (!Files.isRegularFile(file)) {
                    throw new CliException(file + " is not a file", LOCAL_FILE);
                }
                size = Files.size(file);
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage(), LOCAL_FILE);
            }
            NodeCalls calls = calls();
            Map<String, String> headers = contentType == null ? Map.of() : Map.of("Content-Type", contentType);
            if (named != null) {
                String etag;
                try (TransferProgress bar = TransferProgress.of(progress(), "put " + key, size, parent.err)) {
                    etag = calls.files("PUT", NodeCalls.nativePath("/api/v1/store/", key), slice(0, size, bar), headers)
                            .headers().firstValue("ETag").orElse("");
                }
                if (settings.json) {
                    printJson(JSON.createObjectNode().put("query", key).put("size", size).put("etag", etag));
                } else {
                    parent.out.println("uploaded " + key + " (" + human(size) + ")");
                }
                return OK;
            }
            String path = NodeCalls.s3Path(t.bucket(), key);
            String etag;
            try (TransferProgress bar = TransferProgress.of(progress(), "put " + key, size, parent.err)) {
                etag = size < MULTIPART_FROM ? putWhole(calls, path, size, headers, bar) : putInParts(calls, path, size, headers, bar);
            }
            if (settings.json) {
                printJson(JSON.createObjectNode().put("bucket", t.bucket()).put("key", key).put("size", size).put("etag", etag));
            } else {
                parent.out.println("uploaded " + t.bucket() + "/" + key + " (" + human(size) + ")");
            }
            return OK;
        }

        private String putWhole(NodeCalls calls, String path, long size, Map<String, String> headers, TransferProgress bar)
                throws CliException {
            return calls.s3("PUT", path, Map.of(), slice(0, size, bar), HttpResponse.BodyHandlers.discarding(), headers)
                    .headers().firstValue("ETag").orElse("");
        }

        private String putInParts(NodeCalls calls, String path, long size, Map<String, String> headers, TransferProgress bar)
                throws Exception {
            Document created = xml(calls.s3("POST", path, Map.of("uploads", ""), null, HttpResponse.BodyHandlers.ofInputStream(), headers));
            String uploadId = text(created.getDocumentElement(), "UploadId");
            StringBuilder complete = new StringBuilder("<CompleteMultipartUpload>");
            try {
                int parts = (int) ((size + PART_SIZE - 1) / PART_SIZE);
                for (int n = 1; n <= parts; n++) {
                    long from = (n - 1) * PART_SIZE;
                    long length = Math.min(PART_SIZE, size - from);
                    String etag = null;
                    for (int attempt = 1; etag == null; attempt++) {
                        try {
                            etag = calls.s3("PUT", path, Map.of("partNumber", Integer.toString(n), "uploadId", uploadId),
                                    slice(from, length, bar), HttpResponse.BodyHandlers.discarding(), Map.of())
                                    .headers().firstValue("ETag").orElseThrow(() -> new CliException("the node answered a part "
                                            + "without its ETag", FAILED));
                        } catch (CliException e) {
                            if (attempt >= PART_ATTEMPTS || e.exitStatus() == DENIED || e.exitStatus() == NOT_FOUND) {
                                throw e;
                            }
                            parent.err.println("hifadhi: part " + n + " failed (" + e.getMessage() + "), sending it again");
                            bar.stepTo(from);
                        }
                    }
                    complete.append("<Part><PartNumber>").append(n).append("</PartNumber><ETag>")
                            .append(etag.replace("&", "&amp;").replace("<", "&lt;")).append("</ETag></Part>");
                }
                complete.append("</CompleteMultipartUpload>");
                HttpResponse<InputStream> done = calls.s3("POST", path, Map.of("uploadId", uploadId),
                        HttpRequest.BodyPublishers.ofString(complete.toString()), HttpResponse.BodyHandlers.ofInputStream(),
                        Map.of("Content-Type", "application/xml"));
                // S3 may answer 200 with an error inside, once the parts are being put together.
                Document result = xml(done);
                if (result.getDocumentElement().getTagName().equals("Error")) {
                    throw new CliException("the node could not complete the upload: " + text(result.getDocumentElement(), "Message"), FAILED);
                }
                return text(result.getDocumentElement(), "ETag");
            } catch (CliException | RuntimeException e) {
                try {
                    calls.s3("DELETE", path, Map.of("uploadId", uploadId), null, HttpResponse.BodyHandlers.discarding(), Map.of());
                } catch (CliException ignored) {
                    // the node drops abandoned uploads itself; the first failure is the one to report
                }
                throw e;
            }
        }

        /** Bytes [from, from+length) of the file, streamed (never held in memory), counted into the bar. */
        private HttpRequest.BodyPublisher slice(long from, long length, TransferProgress bar) {
            return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
                try {
                    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ).position(from);
                    return bar.counting(Channels.newInputStream(ch), length);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }), length);
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Downloads BUCKET/KEY to FILE (default: the key's "
            + "last name, in this directory; - for standard output).")
    static final class Get extends Sub {
        @Parameters(index = "0", paramLabel = "BUCKET/KEY | INSTANCE@PATH")
        String from;
        @Parameters(index = "1", arity = "0..1", paramLabel = "FILE")
        String to;

        @Override
        public Integer call() throws Exception {
            NodeCalls calls = calls();
            HttpResponse<InputStream> r;
            Target t;
            NativeName n = NativeName.isNative(from) ? NativeName.file(from) : null;
            if (n != null) {
                t = new Target(null, n.path());
                r = calls.files("GET", NodeCalls.nativePath("/api/v1/retrieve/", n.query()), null, Map.of());
            } else {
                t = Target.file(from);
                r = calls.s3("GET", NodeCalls.s3Path(t.bucket(), t.key()), Map.of(), null, HttpResponse.BodyHandlers.ofInputStream(), Map.of());
            }
            long size = r.headers().firstValueAsLong("Content-Length").orElse(-1);
            boolean toStdout = "-".equals(to);
            Path target = toStdout ? null : Path.of(to != null ? to : t.key().substring(t.key().lastIndexOf('/') + 1));
            if (target != null && Files.isDirectory(target)) {
                target = target.resolve(t.key().substring(t.key().lastIndexOf('/') + 1));
            }
            long copied;
            try (InputStream body = r.body();
                 TransferProgress bar = TransferProgress.of(progress() && !toStdout, "get " + t.key(), size, parent.err)) {
                if (toStdout) {
                    copied = copy(bar.counting(body, Long.MAX_VALUE), parent.out);
                    parent.out.flush();
                } else {
                    copied = download(bar.counting(body, Long.MAX_VALUE), target);
                }
            }
            if (size >= 0 && copied != size) {
                throw new CliException("the connection ended after " + copied + " of " + size + " bytes; nothing was kept",
                        UNREACHABLE);
            }
            if (settings.json) {
                ObjectNode done = n != null ? JSON.createObjectNode().put("query", n.query())
                        : JSON.createObjectNode().put("bucket", t.bucket()).put("key", t.key());
                printJson(done.put("size", copied).put("file", toStdout ? "-" : target.toString()));
            } else if (!toStdout) {
                parent.out.println("downloaded " + (n != null ? n.query() : t.bucket() + "/" + t.key()) + " to " + target
                        + " (" + human(copied) + ")");
            }
            return OK;
        }

        /** Into a temporary file beside the target, fsynced, then renamed: never half a file under the name. */
        private long download(InputStream in, Path target) throws CliException {
            Path dir = target.toAbsolutePath().getParent();
            Path temp = null;
            try {
                temp = Files.createTempFile(dir, "." + target.getFileName(), ".part");
                long n;
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE);
                     OutputStream os = Channels.newOutputStream(ch)) {
                    n = copy(in, os);
                    ch.force(true);
                }
                try {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                return n;
            } catch (NoSuchFileException e) {
                throw new CliException("cannot write " + target + ": the directory does not exist", LOCAL_FILE);
            } catch (IOException e) {
                deleteQuietly(temp);
                if (e.getMessage() != null && e.getMessage().contains("closed")) {
                    throw new CliException("lost the connection during the download: " + e.getMessage(), UNREACHABLE);
                }
                throw new CliException("cannot write " + target + ": " + e.getMessage(), LOCAL_FILE);
            }
        }

        private static long copy(InputStream in, OutputStream out) throws IOException {
            byte[] buf = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                total += n;
            }
            return total;
        }

        private static void deleteQuietly(Path p) {
            if (p != null) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a leftover .part file is harmless and says what it is
                }
            }
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Deletes files (S3 objects or native files); a "
            + "missing file is an error (exit 4). Native directories go with rmdir.")
    static final class Rm extends Sub {
        @Parameters(arity = "1..*", paramLabel = "BUCKET/KEY | INSTANCE@PATH")
        List<String> targets;

        @Override
        public Integer call() throws Exception {
            NodeCalls calls = calls();
            ArrayNode deleted = JSON.createArrayNode();
            for (String target : targets) {
                NativeName n = NativeName.of(target);
                if (n != null) {
                    if (n.isDirectory()) {
                        throw new CliException("'" + target + "' is a directory: remove it with rmdir (--recursive if it is not empty)", USAGE);
                    }
                    calls.files("DELETE", NodeCalls.nativePath("/api/v1/files/", n.query()), null, Map.of()).body().close();
                    deleted.add(n.query());
                    if (!settings.json) {
                        parent.out.println("deleted " + n.query());
                    }
                    continue;
                }
                Target t = Target.parse(target);
                if (t.key() == null) {
                    throw new CliException("'" + target + "' names no file: write BUCKET/KEY (buckets are not deleted here)", USAGE);
                }
                String path = NodeCalls.s3Path(t.bucket(), t.key());
                // S3 answers a delete of nothing with success; a person asking to remove a file wants to know.
                calls.s3("HEAD", path, Map.of(), null, HttpResponse.BodyHandlers.discarding(), Map.of());
                calls.s3("DELETE", path, Map.of(), null, HttpResponse.BodyHandlers.discarding(), Map.of());
                deleted.add(t.bucket() + "/" + t.key());
                if (!settings.json) {
                    parent.out.println("deleted " + t.bucket() + "/" + t.key());
                }
            }
            if (settings.json) {
                printJson(JSON.createObjectNode().set("deleted", deleted));
            }
            return OK;
        }
    }

    @Command(name = "share", mixinStandardHelpOptions = true, description = "Prints a link that downloads BUCKET/KEY without a "
            + "key until it expires, from any node; optionally only from one address or network.")
    static final class Share extends Sub {
        @Parameters(paramLabel = "BUCKET/KEY")
        String what;
        @Option(names = "--expires", paramLabel = "DURATION", defaultValue = "1d", description = "e.g. 90s, 30m, 12h, 7d (at most 7d; default ${DEFAULT-VALUE}).")
        String expires;
        @Option(names = "--ip", paramLabel = "ADDRESS|CIDR", description = "Only from this address or network.")
        String ip;

        @Override
        public Integer call() throws Exception {
            Target t = Target.file(what);
            long seconds = seconds(expires);
            ClientSettings.Resolved s = settings.resolve(parent.env);
            NodeCalls calls = new NodeCalls(s, parent.clock);
            // The node's console signs share links; a short session of this key asks for one.
            ObjectNode signIn = JSON.createObjectNode().put("access_key", s.needAccessKey()).put("secret_key", s.secretKey());
            HttpResponse<InputStream> session = calls.plain(consoleRequest(s.endpoint(), "/ui/api/session", "POST", signIn.toString(), null));
            String cookie = session.headers().firstValue("Set-Cookie").map(c -> c.substring(0, c.indexOf(';'))).orElseThrow(
                    () -> new CliException("the node opened no session; is the endpoint a Hifadhi node?", FAILED));
            session.body().close();
            try {
                ObjectNode body = JSON.createObjectNode().put("bucket", t.bucket()).put("key", t.key()).put("expires_in", seconds);
                if (ip != null) {
                    body.put("ip", ip);
                }
                JsonNode link;
                try (InputStream in = calls.plain(consoleRequest(s.endpoint(), "/ui/api/share", "POST", body.toString(), cookie)).body()) {
                    link = JSON.readTree(in);
                }
                if (settings.json) {
                    printJson(link);
                } else {
                    parent.out.println(link.path("url").asText());
                    parent.err.println("works until " + link.path("expires_at").asText()
                            + (link.path("ip").isNull() ? ", from anywhere" : ", only from " + link.path("ip").asText()));
                }
            } finally {
                calls.plain(consoleRequest(s.endpoint(), "/ui/api/session", "DELETE", null, cookie)).body().close();
            }
            return OK;
        }

        private static HttpRequest consoleRequest(URI endpoint, String path, String method, String json, String cookie) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + path)).header("X-Hifadhi-Console", "1")
                    .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
            if (json != null) {
                b.header("Content-Type", "application/json");
            }
            if (cookie != null) {
                b.header("Cookie", cookie);
            }
            return b.build();
        }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true, description = "Lets an address or network read BUCKET/KEY or a "
            + "native INSTANCE@PATH (or everything under a prefix with --prefix) with no key; --revoke takes it back, --list "
            + "shows the grants. Needs the SHARD-KEY.")
    static final class Grant extends Sub {
        @Parameters(paramLabel = "BUCKET/KEY | INSTANCE@PATH")
        String what;
        @Option(names = "--ip", paramLabel = "ADDRESS|CIDR")
        String ip;
        @Option(names = "--expires", paramLabel = "DURATION", description = "e.g. 12h, 30d (default: no expiry).")
        String expires;
        @Option(names = "--prefix", description = "Grant every key under this prefix, also ones written later.")
        boolean prefix;
        @Option(names = "--revoke", description = "Take the grant for --ip back.")
        boolean revoke;
        @Option(names = "--list", description = "Show the grants that cover the file.")
        boolean list;

        @Override
        public Integer call() throws Exception {
            NativeName n = NativeName.of(what);
            Target t = n != null ? new Target(null, n.path().isEmpty() ? null : n.query()) : Target.parse(what);
            NodeCalls calls = calls();
            if (list) {
                String listed = n != null ? NodeCalls.nativePath("/api/v1/grants/", NativeName.file(what).query())
                        : "/api/v1/grants" + NodeCalls.s3Path(t.bucket(), Target.file(what).key());
                try (InputStream in = calls.admin("GET", listed, null).body()) {
                    JsonNode grants = JSON.readTree(in);
                    if (settings.json) {
                        printJson(grants);
                    } else {
                        parent.out.println(grants.toPrettyString());
                    }
                }
                return OK;
            }
            if (ip == null) {
                throw new CliException("give --ip ADDRESS or --ip CIDR", USAGE);
            }
            ObjectNode body = JSON.createObjectNode().put("ip", ip);
            if (n != null) {
                // Native names: the query itself, or with --prefix every file whose query starts with it.
                body.put(prefix ? "prefix" : "query", prefix ? n.query() : NativeName.file(what).query());
            } else if (prefix) {
                body.put("bucket", t.bucket()).put("prefix", t.key() == null ? "" : t.key());
            } else if (t.key() == null) {
                throw new CliException("name the file (BUCKET/KEY), or use --prefix for everything under BUCKET/PREFIX", USAGE);
            } else {
                body.put("bucket", t.bucket()).put("key", t.key());
            }
            if (expires != null && !revoke) {
                body.put("expires_in", seconds(expires));
            }
            try (InputStream in = calls.admin(revoke ? "DELETE" : "POST", "/api/v1/grant", body.toString()).body()) {
                byte[] answer = in.readAllBytes();
                if (settings.json) {
                    parent.out.println(answer.length == 0 ? "{}" : new String(answer, StandardCharsets.UTF_8));
                } else {
                    parent.out.println((revoke ? "revoked " : "granted ") + ip + " on " + (n != null ? n.query() : t.bucket() + "/"
                            + (t.key() == null ? "" : t.key())) + (prefix ? " (prefix)" : ""));
                }
            }
            return OK;
        }
    }

    @Command(name = "cache", mixinStandardHelpOptions = true, description = "Asks the nodes past BUCKET/KEY's replicas on the "
            + "ring to cache it now, as if it were hot (native files: --query INSTANCE@FILE). The copies go once it has not "
            + "been read at the hot rate for the nodes' --hot-cool-down. Needs the SHARD-KEY.")
    static final class CacheObject extends Sub {
        @Parameters(paramLabel = "BUCKET/KEY", arity = "0..1")
        String what;
        @Option(names = "--query", paramLabel = "INSTANCE@FILE", description = "A native file instead of BUCKET/KEY.")
        String query;
        @Option(names = "--copies", paramLabel = "N", description = "Nodes past the replicas that get a copy, 1..16 (default: ${DEFAULT-VALUE}).",
                defaultValue = "2")
        int copies;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = JSON.createObjectNode();
            if ((what == null) == (query == null)) {
                throw new CliException("name the object: BUCKET/KEY, or --query INSTANCE@FILE for a native file", USAGE);
            }
            if (query != null) {
                body.put("query", query);
            } else {
                Target t = Target.file(what);
                body.put("bucket", t.bucket()).put("key", t.key());
            }
            body.put("copies", copies);
            try (InputStream in = calls().admin("POST", "/api/v1/cache", body.toString()).body()) {
                JsonNode answer = JSON.readTree(in);
                if (settings.json) {
                    printJson(answer);
                } else {
                    List<String> holders = new ArrayList<>();
                    answer.path("holders").forEach(h -> holders.add(h.asText()));
                    parent.out.println(answer.path("chunks").asInt() == 0 ? "nothing to cache: the object lives inside its record"
                            : "cached " + answer.path("placed").asInt() + " chunk copies on " + (holders.isEmpty() ? "no node (no node past the replicas is reachable)"
                            : String.join(", ", holders)));
                }
            }
            return OK;
        }
    }

    @Command(name = "cluster", mixinStandardHelpOptions = true, description = "The cluster's nodes.",
            subcommands = {Cluster.Status.class})
    static final class Cluster implements Callable<Integer> {
        @CommandLine.ParentCommand
        ClientCommand parent;

        @Override
        public Integer call() {
            parent.err.println("hifadhi: name a subcommand: cluster status");
            return USAGE;
        }

        @Command(name = "status", mixinStandardHelpOptions = true, description = "Every node: state, zone, used and capacity, load. Needs the SHARD-KEY.")
        static final class Status implements Callable<Integer> {
            @CommandLine.ParentCommand
            Cluster cluster;
            @Mixin
            ClientSettings settings;

            @Override
            public Integer call() throws Exception {
                ClientCommand root = cluster.parent;
                NodeCalls calls = new NodeCalls(settings.resolve(root.env), root.clock);
                JsonNode c;
                try (InputStream in = calls.admin("GET", "/api/v1/cluster", null).body()) {
                    c = JSON.readTree(in);
                }
                if (settings.json) {
                    root.out.println(c.toString());
                    return OK;
                }
                root.out.printf("%-20s %-8s %-12s %10s %10s %7s %4s  %s%n", "NODE", "STATE", "ZONE", "USED", "CAPACITY", "REQ/S",
                        "HOT", "HTTP");
                int up = 0;
                for (JsonNode m : c.path("members")) {
                    up += "UP".equals(m.path("state").asText()) ? 1 : 0;
                    root.out.printf("%-20s %-8s %-12s %10s %10s %7.1f %4d  %s%n", m.path("id").asText(), m.path("state").asText(),
                            m.path("zone").asText(), human(m.path("used_bytes").asLong()), human(m.path("capacity_bytes").asLong()),
                            m.path("load").path("requests_per_second").asDouble(), m.path("hot_objects").asInt(),
                            m.path("http_address").asText());
                }
                for (JsonNode h : c.path("hot_here")) {
                    root.out.println("hot on " + c.path("instance").asText() + ": " + h.path("bucket").asText() + "/" + h.path("key").asText()
                            + " (" + h.path("copies").asInt() + " extra copies of " + h.path("chunks").asInt() + " chunks)");
                }
                root.out.println(up + " of " + c.path("members").size() + " nodes up (asked " + c.path("instance").asText() + ")");
                JsonNode r = c.path("rebalance");
                if (!r.isMissingNode()) {
                    root.out.println(rebalanceLine(r));
                }
                return OK;
            }
        }
    }

    @Command(name = "node", mixinStandardHelpOptions = true, description = "Changes the cluster's shape. Needs the SHARD-KEY.",
            subcommands = {NodeChange.Leave.class, NodeChange.Remove.class})
    static final class NodeChange implements Callable<Integer> {
        @CommandLine.ParentCommand
        ClientCommand parent;

        @Override
        public Integer call() {
            parent.err.println("hifadhi: name a subcommand: node leave, node remove NAME");
            return USAGE;
        }

        @Command(name = "leave", mixinStandardHelpOptions = true,
                description = "The node at --endpoint leaves: it goes out of the ring, hands its data to the others, then exits.")
        static final class Leave implements Callable<Integer> {
            @CommandLine.ParentCommand
            NodeChange node;
            @Mixin
            ClientSettings settings;
            @Option(names = "--no-wait", description = "Return at once instead of following the hand-over until the node exits.")
            boolean noWait;

            @Override
            public Integer call() throws Exception {
                ClientCommand root = node.parent;
                NodeCalls calls = new NodeCalls(settings.resolve(root.env), root.clock);
                JsonNode said;
                try (InputStream in = calls.admin("POST", "/api/v1/cluster/leave", null).body()) {
                    said = JSON.readTree(in);
                }
                root.out.println(said.path("node").asText() + " is leaving: it hands its data to the other nodes, then exits.");
                if (noWait) {
                    return OK;
                }
                // Follow until the node is gone (its endpoint stops answering): that is when the leave is done.
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.HOURS.toNanos(24);
                while (System.nanoTime() < deadline) {
                    JsonNode c;
                    try (InputStream in = calls.admin("GET", "/api/v1/cluster", null).body()) {
                        c = JSON.readTree(in);
                    } catch (CliException e) {
                        if (e.exitStatus() == UNREACHABLE) {
                            if (root.terminal) {
                                root.err.println();
                            }
                            root.out.println(said.path("node").asText() + " has left the cluster.");
                            return OK;
                        }
                        throw e;
                    }
                    // On a terminal the bar is redrawn in place; piped, one line per look.
                    if (root.terminal && !settings.noProgress) {
                        root.err.print("\r" + rebalanceLine(c.path("rebalance")));
                        root.err.flush();
                    } else if (!settings.noProgress) {
                        root.err.println(rebalanceLine(c.path("rebalance")));
                    }
                    Thread.sleep(2_000);
                }
                return FAILED;
            }
        }

        @Command(name = "remove", mixinStandardHelpOptions = true,
                description = "Removes a node that is gone for good; the others re-create its copies from the ones that remain.")
        static final class Remove implements Callable<Integer> {
            @CommandLine.ParentCommand
            NodeChange node;
            @Mixin
            ClientSettings settings;
            @Parameters(index = "0", paramLabel = "NAME", description = "The node's name, as `hifadhi cluster status` shows it.")
            String name;

            @Override
            public Integer call() throws Exception {
                ClientCommand root = node.parent;
                NodeCalls calls = new NodeCalls(settings.resolve(root.env), root.clock);
                try (InputStream in = calls.admin("POST", "/api/v1/cluster/remove/"
                        + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8), null).body()) {
                    in.readAllBytes();
                }
                root.out.println(name + " removed; the other nodes re-create its copies (follow with `hifadhi cluster status`).");
                return OK;
            }
        }
    }

    /** One line on the move of data after a layout change, as the asked node sees it. */
    static String rebalanceLine(JsonNode r) {
        if (!r.path("in_progress").asBoolean() && r.path("bytes_to_receive").asLong() == 0 && r.path("entries_to_hand_over").asLong() == 0) {
            return "rebalance: none under way";
        }
        long left = r.path("bytes_to_receive").asLong() + r.path("bytes_to_hand_over").asLong();
        long done = r.path("bytes_received").asLong() + r.path("bytes_handed_over").asLong();
        int width = 20;
        int filled = done + left == 0 ? width : (int) (width * done / (done + left));
        long eta = r.path("eta_seconds").asLong(-1);
        return String.format(Locale.ROOT, "rebalance: [%s%s] %d of %d owners confirmed; this node: %s to receive, %s to hand over"
                        + " (%d entries), %s/s, ETA %s", "#".repeat(filled), ".".repeat(width - filled),
                r.path("owners_confirmed").asInt(), r.path("owners").asInt(), human(r.path("bytes_to_receive").asLong()),
                human(r.path("bytes_to_hand_over").asLong()), r.path("entries_to_hand_over").asLong(),
                human(r.path("bytes_per_second").asLong()), eta < 0 ? "unknown" : eta + " s");
    }

    // ---------------------------------------------------------------------------------------------- helpers

    static long seconds(String duration) throws CliException {
        String d = duration.trim().toLowerCase(Locale.ROOT);
        long unit = switch (d.isEmpty() ? ' ' : d.charAt(d.length() - 1)) {
            case 's' -> 1;
            case 'm' -> 60;
            case 'h' -> 3600;
            case 'd' -> 86_400;
            default -> 0;
        };
        try {
            long n = unit == 0 ? Long.parseLong(d) : Long.parseLong(d.substring(0, d.length() - 1));
            long s = Math.multiplyExact(n, unit == 0 ? 1 : unit);
            if (s < 1) {
                throw new NumberFormatException();
            }
            return s;
        } catch (NumberFormatException | ArithmeticException e) {
            throw new CliException("'" + duration + "' is not a duration like 90s, 30m, 12h or 7d", USAGE);
        }
    }

    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? bytes + " B" : String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[i]);
    }

    static String listed(String iso) {
        try {
            return LISTED.format(Instant.parse(iso));
        } catch (RuntimeException e) {
            return String.format("%19s", iso);
        }
    }

    static Document xml(HttpResponse<InputStream> r) throws CliException {
        try (InputStream in = r.body()) {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            return f.newDocumentBuilder().parse(in);
        } catch (Exception e) {
            throw new CliException("the node's answer is not the XML S3 sends: " + e.getMessage(), FAILED);
        }
    }

    private static List<Element> elements(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e && (name.equals(e.getLocalName()) || name.equals(e.getTagName()))) {
                out.add(e);
            }
        }
        if (out.isEmpty()) {
            // ListAllMyBucketsResult nests its buckets one level down, in <Buckets>.
            for (int i = 0; i < children.getLength(); i++) {
                if (children.item(i) instanceof Element e) {
                    NodeList inner = e.getElementsByTagName(name);
                    for (int j = 0; j < inner.getLength(); j++) {
                        out.add((Element) inner.item(j));
                    }
                }
            }
        }
        return out;
    }

    private static String text(Element parent, String name) {
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e && name.equals(e.getTagName())) {
                return e.getTextContent();
            }
        }
        return null;
    }
}
