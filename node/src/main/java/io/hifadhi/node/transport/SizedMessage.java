package io.hifadhi.node.transport;

/** A message that knows roughly how large its encoding is, so the buffer is sized once. */
public interface SizedMessage {
    int sizeHint();
}
