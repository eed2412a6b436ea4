package io.hifadhi.api.signature;

import java.util.Optional;

/** Finds the secret key of an access key id; empty when the key is unknown (or disabled). */
@FunctionalInterface
public interface SecretLookup {
    Optional<String> secretKey(String accessKeyId);
}
