package io.hifadhi.node.s3;

import io.hifadhi.api.signature.SigV4Signer;
import io.hifadhi.api.signature.SimpleRequestView;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.spi.scheme.AuthScheme;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Real clients for a node's S3 endpoint: the AWS SDK with default settings, and raw signed HTTP. */
public final class S3TestSupport {
    static final String ACCESS_KEY = "AKIDHIFADHITEST01";
    static final String SECRET_KEY = "s3cr3t-hifadhi-test-key-0123456789";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private S3TestSupport() {
    }

    /**
     * The environment for an aws CLI run against a test node: the test key, us-east-1, SigV4 throughout (the CLI's
     * own presign defaults are S3SigV2ClientsTest's), a config file in {@code dir} and no other credentials.
     */
    static Map<String, String> awsCliEnv(java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Path config = dir.resolve("aws-config");
        if (!java.nio.file.Files.exists(config)) {
            java.nio.file.Files.writeString(config, "[default]\nregion = us-east-1\ns3 =\n    signature_version = s3v4\n");
        }
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY,
                "AWS_DEFAULT_REGION", "us-east-1", "AWS_CONFIG_FILE", config.toString(),
                "AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-credentials").toString(),
                "AWS_EC2_METADATA_DISABLED", "true", "AWS_PAGER", "");
    }

    /** Debian's python3 with its boto3 (apt-get install python3-boto3) and any other python3 on the PATH with boto3. */
    static java.util.stream.Stream<String> pythons() throws Exception {
        java.util.Set<String> found = new java.util.LinkedHashSet<>();
        found.add("/usr/bin/python3");
        java.util.Set<java.nio.file.Path> seen = new java.util.HashSet<>();
        java.nio.file.Path debian = java.nio.file.Path.of("/usr/bin/python3");
        if (java.nio.file.Files.exists(debian)) {
            seen.add(debian.toRealPath()); // /bin/python3 is the same program where /bin links to /usr/bin
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            java.nio.file.Path candidate = java.nio.file.Path.of(dir.isEmpty() ? "." : dir, "python3");
            if (java.nio.file.Files.isExecutable(candidate) && seen.add(candidate.toRealPath())) {
                Process p = new ProcessBuilder(candidate.toString(), "-c", "import boto3")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0) {
                    found.add(candidate.toString());
                }
                p.destroy();
            }
        }
        return found.stream();
    }

    /** A counter or gauge from a node's /metrics (0 when absent). */
    static long metric(int port, String shardKey, String name) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).header("SHARD-KEY", shardKey).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + r.statusCode() + ": " + r.body());
        }
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name + " ")) {
                return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return 0;
    }

    /** The object records a node has written (each version on each replica counts one). */
    static long recordWrites(int port, String shardKey) throws Exception {
        return metric(port, shardKey, "hifadhi_object_record_writes_total");
    }

    static URI endpoint(int port) {
        return URI.create("http://127.0.0.1:" + port);
    }

    public static S3Client client(int port, String accessKey, String secret, Region region) {
        return S3Client.builder()
                .endpointOverride(endpoint(port))
                .forcePathStyle(true)
                .region(region)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secret)))
                .build();
    }

    static S3Client client(int port) {
        return client(port, ACCESS_KEY, SECRET_KEY, Region.US_EAST_1);
    }

    /**
     * An SDK client (default settings, right credentials) whose SigV4 signer changes one hex digit of
     * the Authorization header's signature after signing: every request it sends is well formed
     * except for that signature.
     */
    static S3Client tamperingClient(int port) {
        return S3Client.builder()
                .endpointOverride(endpoint(port))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .putAuthScheme(new SignatureFlippingScheme())
                .build();
    }

    /** The same signature with its last hex digit changed. */
    static String flipSignature(String authorization) {
        int at = authorization.lastIndexOf("Signature=");
        if (at < 0 || authorization.length() < at + "Signature=".length() + 64) {
            throw new IllegalArgumentException("no SigV4 signature in " + authorization);
        }
        char last = authorization.charAt(authorization.length() - 1);
        return authorization.substring(0, authorization.length() - 1) + (last == '0' ? '1' : '0');
    }

    private static final class SignatureFlippingScheme implements AuthScheme<AwsCredentialsIdentity> {
        private final AwsV4AuthScheme real = AwsV4AuthScheme.create();

        @Override
        public String schemeId() {
            return AwsV4AuthScheme.SCHEME_ID;
        }

        @Override
        public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
            return real.identityProvider(providers);
        }

        @Override
        public HttpSigner<AwsCredentialsIdentity> signer() {
            HttpSigner<AwsCredentialsIdentity> signer = real.signer();
            return new HttpSigner<>() {
                @Override
                public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
                    SignedRequest signed = signer.sign(request);
                    return signed.toBuilder().request(flipped(signed.request())).build();
                }

                @Override
                public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
                    return signer.signAsync(request).thenApply(s -> s.toBuilder().request(flipped(s.request())).build());
                }
            };
        }

        private static SdkHttpRequest flipped(SdkHttpRequest request) {
            String authorization = request.firstMatchingHeader("Authorization")
                    .orElseThrow(() -> new IllegalStateException("the signer set no Authorization header"));
            return request.toBuilder().putHeader("Authorization", flipSignature(authorization)).build();
        }
    }

    static S3Presigner presigner(int port) {
        return S3Presigner.builder()
                .endpointOverride(endpoint(port))
                .region(Region.US_EAST_1)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    static String md5Hex(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    static String md5Base64(byte[] data) throws Exception {
        return java.util.Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
    }

    /**
     * A signed GET over a plain socket with any Host header (java.net.http will not let a caller set
     * Host), for virtual-host-style requests. Returns the status line, headers and body as text.
     */
    static String signedGetWithHost(int port, String host, String pathAndQuery) throws Exception {
        return new String(pipelinedGets(port, host, List.of(pathAndQuery)), StandardCharsets.UTF_8);
    }

    /**
     * Signed GETs written at once on one connection (HTTP/1.1 pipelining), the last one asking to close it; returns
     * every byte the node answered until it closed.
     */
    static byte[] pipelinedGets(int port, String host, List<String> pathsAndQueries) throws Exception {
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < pathsAndQueries.size(); i++) {
            requests.append(signedGetHead(host, pathsAndQueries.get(i)))
                    .append(i == pathsAndQueries.size() - 1 ? "Connection: close\r\n" : "").append("\r\n");
        }
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return socket.getInputStream().readAllBytes();
        }
    }

    /** The request line and signed headers of a GET, each line ended, the blank line that ends the head not yet. */
    private static String signedGetHead(String host, String pathAndQuery) throws Exception {
        String amzDate = AMZ_DATE.format(Instant.now());
        String emptySha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[0]));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("host", List.of(host));
        headers.put("x-amz-date", List.of(amzDate));
        headers.put("x-amz-content-sha256", List.of(emptySha));
        String authorization = new SigV4Signer(ACCESS_KEY, SECRET_KEY, "us-east-1")
                .authorization(SimpleRequestView.of("GET", pathAndQuery, headers), List.copyOf(headers.keySet()));
        return "GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\nx-amz-date: " + amzDate
                + "\r\nx-amz-content-sha256: " + emptySha + "\r\nAuthorization: " + authorization + "\r\n";
    }

    /**
     * A signed request over a plain socket, with extra headers left out of the signature (SigV4
     * allows unsigned non-x-amz headers). Returns the raw response, or the empty string if the
     * server closed or reset the connection without answering.
     */
    static String signedRaw(int port, String method, String path, byte[] body, Map<String, String> unsignedHeaders)
            throws Exception {
        String amzDate = AMZ_DATE.format(Instant.now());
        String payloadHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("host", List.of("127.0.0.1:" + port));
        headers.put("x-amz-date", List.of(amzDate));
        headers.put("x-amz-content-sha256", List.of(payloadHash));
        String authorization = new SigV4Signer(ACCESS_KEY, SECRET_KEY, "us-east-1")
                .authorization(SimpleRequestView.of(method, path, headers), List.copyOf(headers.keySet()));
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nx-amz-date: " + amzDate + "\r\nx-amz-content-sha256: " + payloadHash
                + "\r\nAuthorization: " + authorization + "\r\nContent-Length: " + body.length + "\r\n");
        unsignedHeaders.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Connection: close\r\n\r\n");
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            try {
                socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().write(body);
                socket.getOutputStream().flush();
            } catch (java.net.SocketException e) {
                // the server stopped reading and closed early; its answer may still be waiting
            }
            try {
                byte[] buf = new byte[8192];
                for (int n; (n = socket.getInputStream().read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (java.net.SocketException e) {
                // reset by the server: what it sent before is in got
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * A request signed with the signature package's signer (the same algorithm the SDK uses), for
     * bodies and headers the SDK will not send: malformed XML, an XXE attempt, a wrong Content-MD5.
     */
    static HttpResponse<String> signed(HttpClient http, int port, String method, String pathAndQuery, byte[] body,
                                       Map<String, String> extraHeaders) throws Exception {
        return signed(http, port, method, pathAndQuery, body, extraHeaders, false);
    }

    /** As {@link #signed}; with {@code flip} the signature's last hex digit is changed after signing. */
    static HttpResponse<String> signed(HttpClient http, int port, String method, String pathAndQuery, byte[] body,
                                       Map<String, String> extraHeaders, boolean flip) throws Exception {
        String amzDate = AMZ_DATE.format(Instant.now());
        String payloadHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("host", List.of("127.0.0.1:" + port));
        headers.put("x-amz-date", List.of(amzDate));
        headers.put("x-amz-content-sha256", List.of(payloadHash));
        extraHeaders.forEach((k, v) -> headers.put(k.toLowerCase(), List.of(v)));
        SimpleRequestView view = SimpleRequestView.of(method, pathAndQuery, headers);
        String authorization = new SigV4Signer(ACCESS_KEY, SECRET_KEY, "us-east-1")
                .authorization(view, List.copyOf(headers.keySet()));
        if (flip) {
            authorization = flipSignature(authorization);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Authorization", authorization);
        headers.forEach((k, v) -> {
            if (!k.equals("host")) {
                b.header(k, v.get(0));
            }
        });
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** An access key pair the admin API created; {@code buckets} is its JSON permission map, e.g. {"b":"read"}. */
    record KeyPair(String accessKey, String secretKey) {
    }

    static KeyPair createKey(String endpoint, String shardKey, String name, String buckets) throws Exception {
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(endpoint + "/api/v1/keys"))
                .header("SHARD-KEY", shardKey).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"" + name + "\",\"buckets\":" + buckets + "}")).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new AssertionError("key not created: " + created.statusCode() + " " + created.body());
        }
        java.util.regex.Matcher access = java.util.regex.Pattern.compile("\"access_key\":\"([^\"]+)\"").matcher(created.body());
        java.util.regex.Matcher secret = java.util.regex.Pattern.compile("\"secret_key\":\"([^\"]+)\"").matcher(created.body());
        if (!access.find() || !secret.find()) {
            throw new AssertionError("no key pair in " + created.body());
        }
        return new KeyPair(access.group(1), secret.group(1));
    }

    /** What a program printed (stdout and stderr together) and how it exited. */
    record Result(int exit, String out) {
    }

    /** Runs a client program (without AWS_CA_BUNDLE, which means nothing on plain loopback HTTP), at most 180 s. */
    static Result run(Path tmp, List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("AWS_CA_BUNDLE");
        pb.environment().putAll(env);
        Path out = java.nio.file.Files.createTempFile(tmp, "out", ".txt");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 180 s");
        }
        return new Result(p.exitValue(), java.nio.file.Files.readString(out));
    }
}
