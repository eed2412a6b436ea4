package io.hifadhi.api.s3;

import java.util.List;

/**
 * @param region        the one region this endpoint answers for (SigV4 scope and GetBucketLocation)
 * @param hostDomains   domains under which virtual-host-style requests name the bucket as the first label,
 *                      e.g. "s3.example.com" makes "photos.s3.example.com" bucket "photos"; empty for path style only
 * @param maxObjectSize largest object accepted in one PUT
 * @param quotas        buckets a key may own, uploads an object may have open
 */
public record S3Settings(String region, List<String> hostDomains, long maxObjectSize, S3Quotas quotas) {
    public S3Settings {
        hostDomains = hostDomains.stream().map(d -> d.toLowerCase(java.util.Locale.ROOT)).toList();
        java.util.Objects.requireNonNull(quotas, "quotas");
    }

    public S3Settings(String region, List<String> hostDomains, long maxObjectSize) {
        this(region, hostDomains, maxObjectSize, S3Quotas.DEFAULTS);
    }
}
