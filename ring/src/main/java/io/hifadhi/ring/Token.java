package io.hifadhi.ring;

/**
 * One virtual node: a position on the ring and its owner. The token owns the range from the previous
 * token (exclusive) up to its own position (inclusive).
 */
public record Token(long position, Member owner) {

    @Override
    public String toString() {
        return KeyHash.toHex(position) + "->" + owner.id();
    }
}
