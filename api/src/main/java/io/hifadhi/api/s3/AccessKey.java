package io.hifadhi.api.s3;

import java.util.Objects;

/** An access key as one read of the key table gives it: the secret that signs its requests, and what it may do. */
public record AccessKey(String secret, Permissions permissions) {
    public AccessKey {
        Objects.requireNonNull(secret);
        Objects.requireNonNull(permissions);
    }

    @Override
    public String toString() {
        return "AccessKey[" + permissions + ", secret hidden]";
    }
}
