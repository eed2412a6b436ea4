package io.hifadhi.node.storage;

/** A chunk named by the lower-case hex SHA-256 of its bytes. */
public record ChunkRef(String id, int length) {
    public ChunkRef {
        if (id.length() != 64 || !id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("not a SHA-256 hex id: " + id);
        }
        if (length < 0) {
            throw new IllegalArgumentException("negative length");
        }
    }
}
