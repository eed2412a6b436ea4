package io.hifadhi.api.signature;

/**
 * The chain of aws-chunked signatures: each chunk's signature covers the previous signature and the
 * SHA-256 of the chunk's data, starting from the request's (seed) signature; the trailer signature
 * continues the chain from the final, empty chunk. Mutable: one instance per body.
 */
final class ChunkSignatureChain {
    private final byte[] signingKey;
    private final String amzDate;
    private final String scope;
    private String previous;

    ChunkSignatureChain(byte[] signingKey, String amzDate, String scope, String seedSignature) {
        this.signingKey = signingKey.clone();
        this.amzDate = amzDate;
        this.scope = scope;
        this.previous = seedSignature;
    }

    /** The string to sign for a chunk whose data hashes to {@code chunkSha256}, chained to the previous one. */
    String chunkStringToSign(byte[] chunkSha256) {
        return "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + previous + "\n"
                + Canonical.EMPTY_SHA256 + "\n" + Crypto.hex(chunkSha256);
    }

    String trailerStringToSign(byte[] canonicalTrailersSha256) {
        return "AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope + "\n" + previous + "\n"
                + Crypto.hex(canonicalTrailersSha256);
    }

    /** Computes the next chunk signature and advances the chain to it. */
    String nextChunk(byte[] chunkSha256) {
        previous = Crypto.hex(Crypto.hmacSha256(signingKey, chunkStringToSign(chunkSha256)));
        return previous;
    }

    /** Computes the trailer signature and advances the chain to it. */
    String trailer(byte[] canonicalTrailersSha256) {
        previous = Crypto.hex(Crypto.hmacSha256(signingKey, trailerStringToSign(canonicalTrailersSha256)));
        return previous;
    }
}
