package io.hifadhi.node.config;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeOptionsTest {
    static NodeConfig parse(Map<String, String> env, String... args) {
        NodeOptions o = new NodeOptions();
        new CommandLine(o).parseArgs(args);
        return o.toConfig(env);
    }

    @Test
    void embeddedDefaults() {
        NodeConfig c = parse(Map.of());
        assertEquals(7111, c.httpPort());
        assertEquals(7112, c.clusterPort());
        assertEquals(Path.of("./hifadhi-data"), c.dataDir());
        assertEquals("0.0.0.0", c.bindAddress());
        assertEquals(4 << 20, c.chunkSize());
        assertTrue(c.fsync());
        assertNull(c.name());
        assertNull(c.shardKey());
        assertEquals(5L << 40, c.maxObjectSize());
        assertEquals(List.of(), c.join());
        assertEquals(io.hifadhi.api.ClientLimits.DEFAULTS, c.clientLimits());
        assertEquals(io.hifadhi.api.s3.S3Quotas.DEFAULTS, c.s3Quotas());
        assertEquals(LifecycleSettings.DEFAULTS, c.lifecycle());
        assertEquals(new ScrubSettings(7 * 86_400_000L, 32L << 20), c.scrub());
        assertEquals(10 * 60_000, c.gcGraceMillis());
        assertEquals(7 * 86_400_000L, c.multipartExpiryMillis());
    }

    @Test
    void clientLimitsAndQuotas() {
        NodeConfig c = parse(Map.of(), "--client-min-rate", "4KiB", "--client-stall-window", "2.5", "--client-connections", "8",
                "--client-request-rate", "50", "--key-request-rate", "70", "--max-buckets-per-key", "9",
                "--max-uploads-per-object", "3", "--key-connections", "12", "--max-uploads-per-key", "40");
        assertEquals(new io.hifadhi.api.ClientLimits(4096, java.time.Duration.ofMillis(2500), 8, 50, 70, 12), c.clientLimits());
        assertEquals(new io.hifadhi.api.s3.S3Quotas(9, 3, 40), c.s3Quotas());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--key-connections", "0"))
                .getMessage().contains("--key-connections"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--max-uploads-per-key", "0"))
                .getMessage().contains("--max-uploads-per-key"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--key-request-rate", "0"))
                .getMessage().contains("--key-request-rate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--max-uploads-per-object", "0"))
                .getMessage().contains("--max-uploads-per-object"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--client-stall-window", "0"))
                .getMessage().contains("--client-stall-window"));
    }

    @Test
    void cacheAndHotSpreadingFlags() {
        NodeConfig d = parse(Map.of());
        assertEquals(io.hifadhi.node.cache.CacheSettings.DEFAULTS, d.cache());
        NodeConfig c = parse(Map.of(), "--cache-size", "256MiB", "--hot-spreading", "false", "--hot-threshold", "7.5",
                "--hot-node-load", "100", "--hot-cool-down", "2.5", "--hot-copies", "3");
        assertEquals(new io.hifadhi.node.cache.CacheSettings(256L << 20, false, 7.5, 100, java.time.Duration.ofMillis(2500), 3),
                c.cache());
        assertEquals(0, parse(Map.of(), "--cache-size", "0").cache().cacheBytes());
        for (String[] bad : new String[][]{{"--hot-spreading", "maybe"}, {"--hot-copies", "0"}, {"--hot-copies", "17"},
                {"--hot-threshold", "0"}, {"--hot-cool-down", "0"}, {"--cache-size", "lots"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), bad));
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
    }

    @Test
    void everyFlag() {
        NodeConfig c = parse(Map.of(), "--name", "n1", "--data-dir", "/tmp/x", "--http-port", "8000", "--cluster-port", "8001",
                "--advertise-host", "h.example", "--join", "a:1, b:2", "--zone", "z1", "--capacity", "2TiB",
                "--replication", "5", "--write-quorum", "3", "--read-quorum", "3", "--chunk-size", "8MiB",
                "--shard-key", "flag-shard-key", "--access-key", "AKIAFLAG", "--secret-key", "secretflag", "--fsync", "false",
                "--bind", "127.0.0.1", "--max-object-size", "1GiB", "--gc-grace", "30s", "--multipart-expiry", "2h",
                "--lifecycle-day", "2s", "--lifecycle-interval", "500ms", "--scrub-interval", "12h", "--scrub-rate", "0");
        assertEquals("n1", c.name());
        assertEquals(8000, c.httpPort());
        assertEquals(8001, c.clusterPort());
        assertEquals("h.example", c.advertiseHost());
        assertEquals(List.of("a:1", "b:2"), c.join());
        assertEquals("z1", c.zone());
        assertEquals(2L << 40, c.capacityBytes());
        assertEquals(5, c.replication());
        assertEquals(8 << 20, c.chunkSize());
        assertEquals("flag-shard-key", c.shardKey());
        assertFalse(c.fsync());
        assertEquals("127.0.0.1", c.bindAddress());
        assertEquals(1L << 30, c.maxObjectSize());
        assertEquals(30_000, c.gcGraceMillis());
        assertEquals(2 * 3_600_000, c.multipartExpiryMillis());
        assertEquals(new LifecycleSettings(2_000, 500), c.lifecycle());
        assertEquals(new ScrubSettings(12 * 3_600_000L, 0), c.scrub());
        assertFalse(c.toString().contains("flag-shard-key"), "no secret in toString");
        assertFalse(c.toString().contains("secretflag"));
    }

    @Test
    void environmentFillsInAndFlagsWin() {
        Map<String, String> env = Map.of("INSTANCE_NAME", "env-name", "SHARD_KEY", "env-shard-key",
                "HIFADHI_ACCESS_KEY", "ENVACCESS", "HIFADHI_SECRET_KEY", "env-secret-key");
        NodeConfig c = parse(env);
        assertEquals("env-name", c.name());
        assertEquals("env-shard-key", c.shardKey());
        assertEquals("ENVACCESS", c.accessKey());
        assertEquals("env-secret-key", c.secretKey());
        assertEquals("flag-name", parse(env, "--name", "flag-name").name());
    }

    @Test
    void badValuesAreRejectedWithTheFlagNamed() {
        assertThrows(CommandLine.ParameterException.class, () -> parse(Map.of(), "--http-port", "abc"));
        assertThrows(CommandLine.ParameterException.class, () -> parse(Map.of(), "--no-such-flag"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--http-port", "70000")).getMessage().contains("--http-port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--chunk-size", "1KiB")).getMessage().contains("--chunk-size"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--chunk-size", "lots")).getMessage().contains("--chunk-size"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--write-quorum", "4")).getMessage().contains("quorum"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--fsync", "maybe")).getMessage().contains("--fsync"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--name", "bad@name")).getMessage().contains("instance name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--shard-key", "short")).getMessage().contains("--shard-key"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--access-key", "ONLYACCESS")).getMessage().contains("together"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--gc-grace", "soon")).getMessage().contains("--gc-grace"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--gc-grace", "500ms")).getMessage().contains("--gc-grace"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--multipart-expiry", "0s")).getMessage().contains("--multipart-expiry"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--lifecycle-day", "10ms")).getMessage().contains("--lifecycle-day"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--lifecycle-interval", "1y")).getMessage().contains("--lifecycle-interval"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--scrub-interval", "10ms")).getMessage().contains("--scrub-interval"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--scrub-rate", "fast")).getMessage().contains("--scrub-rate"));
    }

    @Test
    void deadAfterAndTransferRate() {
        NodeConfig defaults = parse(Map.of());
        assertEquals(java.time.Duration.ofMinutes(10), defaults.deadAfter());
        assertEquals(0, defaults.transferRate());
        NodeConfig set = parse(Map.of(), "--dead-after", "20s", "--transfer-rate", "50MiB");
        assertEquals(java.time.Duration.ofSeconds(20), set.deadAfter());
        assertEquals(50L << 20, set.transferRate());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--dead-after", "5s")).getMessage()
                .contains("--dead-after"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), "--dead-after", "soon")).getMessage()
                .contains("--dead-after"));
    }

    @Test
    void sizes() {
        assertEquals(4194304, Sizes.parse("4MiB"));
        assertEquals(4194304, Sizes.parse("4m"));
        assertEquals(512 * 1024, Sizes.parse("512KB"));
        assertEquals(123, Sizes.parse("123"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("99999999999PiB"));
    }
}
