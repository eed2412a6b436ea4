package io.hifadhi.node;

import io.hifadhi.api.ApiContext;
import io.hifadhi.api.ApiServer;
import io.hifadhi.api.ApiSettings;
import io.hifadhi.api.auth.ShardKeyPolicy;
import io.hifadhi.api.nativeapi.ClusterMemberStatus;
import io.hifadhi.membership.LoadDigest;
import io.hifadhi.api.store.ObjectStore;
import io.hifadhi.node.clock.HybridLogicalClock;
import io.hifadhi.node.cluster.Addresses;
import io.hifadhi.node.cluster.NodeMembership;
import io.hifadhi.node.config.Credentials;
import io.hifadhi.node.config.CredentialsBootstrap;
import io.hifadhi.node.config.DataDirectory;
import io.hifadhi.node.config.InstanceIdentity;
import io.hifadhi.node.config.NodeConfig;
import io.hifadhi.node.config.NodeStartException;
import io.hifadhi.node.metrics.MeteredObjectStore;
import io.hifadhi.node.metrics.NodeMetrics;
import io.hifadhi.node.storage.ChunkStore;
import io.hifadhi.node.storage.LocalObjectStore;
import io.hifadhi.node.storage.RecordCodec;
import io.hifadhi.node.storage.RecordStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/**
 * One running node: data directory, local stores, HTTP, and its seat in the cluster. Construct with
 * a {@link NodeConfig}, then {@link #start()}; {@link #close()} stops it. Several nodes can run in
 * one JVM (tests do).
 */
public final class Node implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    static final String CHUNKS_DIR = "chunks";
    static final String RECORDS_DIR = "records";

    private final NodeConfig config;
    private final PrintStream console;
    private final Clock clock;
    private String name;
    private Credentials credentials;
    private DataDirectory dataDirectory;
    private RecordStore records;
    private ApiServer api;
    private ObjectStore store;
    private volatile NodeMembership membership;

    /** @param console where first-start credentials are printed (stdout for the real process) */
    public Node(NodeConfig config, PrintStream console) {
        this(config, console, Clock.systemUTC());
    }

    Node(NodeConfig config, PrintStream console, Clock clock) {
        this.config = config;
        this.console = console;
        this.clock = clock;
    }

    public synchronized void start() throws NodeStartException {
        if (api != null) {
            throw new IllegalStateException("already started");
        }
        SecureRandom random = new SecureRandom();
        dataDirectory = DataDirectory.prepare(config.dataDir());
        name = InstanceIdentity.resolve(config.name(), dataDirectory, random);
        credentials = CredentialsBootstrap.resolve(config, dataDirectory, random, console);
        long startedAt = clock.millis();
        NodeMetrics metrics = new NodeMetrics(startedAt);
        try {
            ChunkStore chunks = new ChunkStore(dataDirectory.resolve(CHUNKS_DIR), config.fsync());
            records = RecordStore.open(dataDirectory.resolve(RECORDS_DIR), config.fsync(), new RecordCodec());
            HybridLogicalClock hlc = new HybridLogicalClock(name, clock::millis);
            store = new MeteredObjectStore(new LocalObjectStore(chunks, records, hlc, config.chunkSize()), metrics);
        } catch (IOException e) {
            closeQuietly();
            throw new NodeStartException("cannot open storage in " + dataDirectory.root() + ": " + e.getMessage()
                    + " (is another node using this data directory?)", e);
        }
        ApiContext context = new ApiContext(name, store, new ShardKeyPolicy(credentials.shardKey()),
                this::clusterMembers, metrics, metrics::prometheusText, clock, clock.instant());
        api = new ApiServer(ApiSettings.defaults(config.bindAddress(), config.httpPort())
                .withMaxObjectSize(config.maxObjectSize()), context);
        try {
            api.start();
        } catch (RuntimeException e) {
            closeQuietly();
            throw new NodeStartException("cannot listen on " + config.bindAddress() + ":" + config.httpPort()
                    + " (" + rootMessage(e) + "); choose another --http-port or --bind", e);
        }
        // HTTP first, so the address gossiped to the cluster is the port really bound (tests use port 0).
        String advertiseHost = Addresses.advertiseHost(config.advertiseHost(), config.bindAddress());
        int clusterPort = config.clusterPort() == 0 ? Addresses.freePort(config.bindAddress()) : config.clusterPort();
        try {
            membership = NodeMembership.start(config, name, credentials.shardKey(), advertiseHost, clusterPort,
                    api.port(), dataDirectory.root(), () -> new LoadDigest(metrics.requestRate(),
                            metrics.bytesInRate(), metrics.bytesOutRate()));
        } catch (NodeStartException e) {
            closeQuietly();
            throw e;
        }
        LOG.info("node {} up: http {}:{}, cluster {}:{}{}, data {}, chunk size {} bytes, fsync {}",
                name, config.bindAddress(), api.port(), advertiseHost, clusterPort,
                config.join().isEmpty() ? " (new cluster)" : " (joined via " + String.join(",", config.join()) + ")",
                dataDirectory.root(), config.chunkSize(), config.fsync());
        if (!config.fsync()) {
            LOG.warn("fsync is off: acknowledged writes can be lost on power failure");
        }
    }

    /** The members this node knows, itself included; just itself while membership is starting. */
    public List<ClusterMemberStatus> clusterMembers() {
        NodeMembership seat = membership;
        if (seat == null) {
            return List.of(ClusterMemberStatus.standalone(name, null));
        }
        return seat.members();
    }

    /** Leaves the cluster gracefully (peers see LEAVING, then a departure), then stops. */
    public synchronized void leaveAndClose() {
        if (membership != null) {
            membership.leave();
            membership = null;
        }
        closeQuietly();
    }

    public int httpPort() {
        return api.port();
    }

    public String name() {
        return name;
    }

    public Credentials credentials() {
        return credentials;
    }

    public Path dataDir() {
        return dataDirectory.root();
    }

    public ObjectStore store() {
        return store;
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (membership != null) {
            membership.close();
            membership = null;
        }
        if (api != null) {
            api.close();
            api = null;
        }
        if (records != null) {
            records.close();
            records = null;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.toString();
    }
}
