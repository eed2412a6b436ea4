package io.hifadhi.node.grants;

import io.hifadhi.api.auth.Cidr;
import io.hifadhi.api.auth.Grant;
import io.hifadhi.api.auth.GrantPrefix;
import io.hifadhi.api.auth.GrantStore;
import io.hifadhi.api.auth.ObjectAccess;
import io.hifadhi.node.replication.ReplicatedObjectStore;
import io.hifadhi.node.storage.ObjectRecord;
import io.hifadhi.node.table.ReplicatedTable;
import io.hifadhi.node.table.TableEntry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node's {@link GrantStore}. Object grants are a field of the object record: a change reads the
 * newest record and writes it back with the new grants under a newer stamp through the replicated
 * data path (W acks), so they replicate, repair and converge with the record, and end with it (a PUT
 * of a new body or a delete starts without grants). Prefix grants are entries of the fully
 * replicated {@code grants} table, one LWW entry per (bucket, prefix, network), so concurrent
 * changes of different grants never overwrite each other.
 */
public final class ReplicatedGrantStore implements GrantStore {
    public static final String TABLE = "grants";
    private static final byte FORMAT_VERSION = 1;
    private static final char SEP = '\0';

    private final ReplicatedObjectStore objects;
    private final ReplicatedTable table;
    private final Clock clock;
    /** Serializes this node's grant changes of one object (different nodes still race by stamp: LWW). */
    private final Object[] locks = new Object[64];

    public ReplicatedGrantStore(ReplicatedObjectStore objects, ReplicatedTable table, Clock clock) {
        this.objects = objects;
        this.table = table;
        this.clock = clock;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    @Override
    public Optional<ObjectAccess> objectAccess(String bucket, String key) throws IOException {
        return objects.record(bucket, key).map(ReplicatedGrantStore::access);
    }

    @Override
    public Optional<List<Grant>> grantObject(String bucket, String key, Grant grant) throws IOException {
        synchronized (lockFor(bucket, key)) {
            return objects.updateAccess(bucket, key, current -> current.withGrants(Grant.with(current.grants(), grant,
                    clock.instant()))).map(ObjectRecord::grants);
        }
    }

    @Override
    public Optional<ObjectAccess> updateObject(String bucket, String key, java.util.function.UnaryOperator<ObjectAccess> change)
            throws IOException {
        synchronized (lockFor(bucket, key)) {
            return objects.updateAccess(bucket, key, change).map(ReplicatedGrantStore::access);
        }
    }

    @Override
    public Optional<Boolean> revokeObject(String bucket, String key, Cidr network) throws IOException {
        synchronized (lockFor(bucket, key)) {
            Optional<ObjectRecord> current = objects.record(bucket, key);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            if (current.get().grants().stream().noneMatch(g -> g.network().equals(network))) {
                return Optional.of(false);
            }
            return objects.updateAccess(bucket, key, a -> a.withGrants(Grant.without(a.grants(), network, clock.instant())))
                    .map(r -> true);
        }
    }

    @Override
    public List<GrantPrefix> prefixGrants(String bucket) {
        String start = bucket + SEP;
        List<GrantPrefix> out = new ArrayList<>();
        for (TableEntry e : table.live()) {
            if (e.key().startsWith(start)) {
                decode(e.key(), e.value()).ifPresent(out::add);
            }
        }
        return out;
    }

    @Override
    public void grantPrefix(GrantPrefix grant) throws IOException {
        table.put(keyOf(grant.bucket(), grant.prefix(), grant.grant().network()),
                ByteBuffer.allocate(9).put(FORMAT_VERSION).putLong(grant.grant().expiresAtMillis()).array());
    }

    @Override
    public boolean revokePrefix(String bucket, String prefix, Cidr network) throws IOException {
        String key = keyOf(bucket, prefix, network);
        if (table.get(key).isEmpty()) {
            return false;
        }
        table.delete(key);
        return true;
    }

    private static ObjectAccess access(ObjectRecord r) {
        return new ObjectAccess(r.grants(), r.acl());
    }

    static String keyOf(String bucket, String prefix, Cidr network) {
        return bucket + SEP + prefix + SEP + network;
    }

    static Optional<GrantPrefix> decode(String key, byte[] value) {
        int first = key.indexOf(SEP);
        int last = key.lastIndexOf(SEP);
        if (first < 0 || last == first || value.length != 9 || value[0] != FORMAT_VERSION) {
            return Optional.empty();
        }
        Cidr network = Cidr.parse(key.substring(last + 1));
        long expires = ByteBuffer.wrap(value, 1, 8).getLong();
        return Optional.of(new GrantPrefix(key.substring(0, first), key.substring(first + 1, last), new Grant(network, expires)));
    }

    private Object lockFor(String bucket, String key) {
        return locks[Math.floorMod(31 * bucket.hashCode() + key.hashCode(), locks.length)];
    }
}
