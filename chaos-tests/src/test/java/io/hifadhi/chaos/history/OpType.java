package io.hifadhi.chaos.history;

/** What a client asked the store to do. WRITE covers both first writes and overwrites. */
public enum OpType {
    WRITE, READ, DELETE, LIST;

    public boolean mutates() {
        return this == WRITE || this == DELETE;
    }
}
