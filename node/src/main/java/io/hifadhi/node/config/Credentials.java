package io.hifadhi.node.config;

/** The cluster secret and the bootstrap S3 key pair. toString never shows secrets. */
public record Credentials(String shardKey, String accessKey, String secretKey) {
    @Override
    public String toString() {
        return "Credentials[accessKey=" + accessKey + ", secrets hidden]";
    }
}
