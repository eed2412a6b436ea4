package io.hifadhi.node.transport;

import java.io.IOException;

/** A peer answered a request with a failure (its handler threw); the message says why. */
public class RemoteException extends IOException {
    public RemoteException(String message) {
        super(message);
    }
}
