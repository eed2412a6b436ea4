package io.hifadhi.api;

/** Where the HTTP layer reports finished requests; the node backs it with Dropwizard metrics. */
@FunctionalInterface
public interface ApiMetrics {
    ApiMetrics NONE = (endpoint, status, nanos, bytesIn, bytesOut) -> {
    };

    /** @param endpoint a short fixed name such as "store" or "retrieve", never user input */
    void requestCompleted(String endpoint, int status, long nanos, long bytesIn, long bytesOut);
}
