package io.hifadhi.node.metrics;

/**
 * Dropwizard metric names carry Prometheus labels: {@code family{label="value",...}}. Label values
 * here are fixed words chosen by code (endpoint, status, operation), never user input.
 */
final class MetricNames {
    private MetricNames() {
    }

    static String of(String family, String... labelPairs) {
        if (labelPairs.length == 0) {
            return family;
        }
        StringBuilder b = new StringBuilder(family).append('{');
        for (int i = 0; i < labelPairs.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(labelPairs[i]).append("=\"").append(escape(labelPairs[i + 1])).append('"');
        }
        return b.append('}').toString();
    }

    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
