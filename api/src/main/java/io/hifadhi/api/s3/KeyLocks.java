package io.hifadhi.api.s3;

/**
 * Striped locks by access key: a quota's count-then-create runs under its key's lock, so that concurrent
 * creates by one key through this node cannot all pass the same count. Other nodes count for themselves
 * (each sees the others' creates once they are replicated), so across a cluster a quota may still be
 * passed by the creates racing through other nodes at the same moment.
 */
final class KeyLocks {
    private final Object[] stripes = new Object[64];

    KeyLocks() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    Object of(String accessKey) {
        return stripes[Math.floorMod(accessKey.hashCode(), stripes.length)];
    }
}
