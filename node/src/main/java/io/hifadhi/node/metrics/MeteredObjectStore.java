package io.hifadhi.node.metrics;

import com.codahale.metrics.Timer;
import io.hifadhi.api.store.KeyLease;
import io.hifadhi.api.store.ListPage;
import io.hifadhi.api.store.ObjectInfo;
import io.hifadhi.api.store.ObjectStore;
import io.hifadhi.api.store.ObjectWrite;
import io.hifadhi.api.store.PutResult;
import io.hifadhi.api.store.StagedBody;
import io.hifadhi.api.store.StoredObject;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/** Times every store operation. "stage" includes the time the client takes to send the body. */
public final class MeteredObjectStore implements ObjectStore {
    private final ObjectStore delegate;
    private final Timer stage;
    private final Timer commit;
    private final Timer get;
    private final Timer delete;
    private final Timer list;

    public MeteredObjectStore(ObjectStore delegate, NodeMetrics metrics) {
        this.delegate = delegate;
        this.stage = metrics.storeTimer("stage");
        this.commit = metrics.storeTimer("commit");
        this.get = metrics.storeTimer("get");
        this.delete = metrics.storeTimer("delete");
        this.list = metrics.storeTimer("list");
    }

    @Override
    public StagedBody stage(InputStream body) throws IOException {
        try (Timer.Context ignored = stage.time()) {
            return delegate.stage(body);
        }
    }

    @Override
    public PutResult commit(ObjectWrite write, StagedBody body) throws IOException {
        try (Timer.Context ignored = commit.time()) {
            return delegate.commit(write, body);
        }
    }

    @Override
    public KeyLease lock(String bucket, String key) throws IOException {
        return delegate.lock(bucket, key);
    }

    @Override
    public Optional<StoredObject> get(String bucket, String key) throws IOException {
        try (Timer.Context ignored = get.time()) {
            return delegate.get(bucket, key);
        }
    }

    @Override
    public Optional<ObjectInfo> retag(String bucket, String key, Map<String, String> tags) throws IOException {
        try (Timer.Context ignored = commit.time()) {
            return delegate.retag(bucket, key, tags);
        }
    }

    @Override
    public boolean delete(String bucket, String key) throws IOException {
        try (Timer.Context ignored = delete.time()) {
            return delegate.delete(bucket, key);
        }
    }

    @Override
    public void deleteVersion(String bucket, String key, String version) throws IOException {
        try (Timer.Context ignored = delete.time()) {
            delegate.deleteVersion(bucket, key, version);
        }
    }

    @Override
    public ListPage list(String bucket, String prefix, String startAfter, int maxKeys) throws IOException {
        try (Timer.Context ignored = list.time()) {
            return delegate.list(bucket, prefix, startAfter, maxKeys);
        }
    }

    @Override
    public Optional<String> unavailableReason() {
        return delegate.unavailableReason();
    }
}
