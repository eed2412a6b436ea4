package io.hifadhi.node.cluster;

import io.hifadhi.membership.MembershipEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The peers this node has been in a cluster with, kept in the data directory. A node that restarts
 * must not act as a cluster of one: it rejoins these peers (the seed too, which was started
 * without {@code --join}), and until it sees them again it serves no data (503), rather than
 * acknowledging a write with one copy or serving a stale read as a smaller cluster.
 *
 * <p>A member that leaves gracefully, or is forgotten after being gone for a long time, is dropped.
 */
public final class KnownPeers {
    private static final Logger LOG = LoggerFactory.getLogger(KnownPeers.class);
    private static final String FILE = "cluster-peers";

    private final Path file;
    private final String self;
    private final Map<String, String> addressById = new TreeMap<>();

    private KnownPeers(Path file, String self) {
        this.file = file;
        this.self = self;
    }

    /** Reads the list (one {@code id<TAB>host:port} a line); a missing file means none. */
    public static KnownPeers load(Path dataDir, String self) throws IOException {
        KnownPeers peers = new KnownPeers(dataDir.resolve(FILE), self);
        if (Files.exists(peers.file)) {
            for (String line : Files.readAllLines(peers.file, StandardCharsets.UTF_8)) {
                String[] parts = line.split("\t");
                if (parts.length == 2 && !parts[0].equals(self)) {
                    peers.addressById.put(parts[0], parts[1]);
                }
            }
        }
        return peers;
    }

    /** Ids of the peers this node remembers. */
    public synchronized java.util.Set<String> ids() {
        return java.util.Set.copyOf(addressById.keySet());
    }

    public synchronized List<String> addresses() {
        return new ArrayList<>(addressById.values());
    }

    /** Keeps the list current from membership events. */
    public void onEvent(MembershipEvent event) {
        String id = event.member().id();
        if (id.equals(self)) {
            return;
        }
        boolean changed;
        synchronized (this) {
            changed = switch (event.type()) {
                case JOINED, UPDATED, REACHABLE -> !event.member().clusterAddress().equals(
                        addressById.put(id, event.member().clusterAddress()));
                case LEFT, FORGOTTEN -> addressById.remove(id) != null;
                default -> false;
            };
        }
        if (changed) {
            save();
        }
    }

    private void save() {
        StringBuilder b = new StringBuilder();
        synchronized (this) {
            addressById.forEach((id, address) -> b.append(id).append('\t').append(address).append('\n'));
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, io.hifadhi.node.config.OwnerOnly.file());
            Files.writeString(tmp, b, StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("could not remember the cluster's members in {}: {}", file, e.toString());
        }
    }
}
