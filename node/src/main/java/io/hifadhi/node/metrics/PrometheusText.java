package io.hifadhi.node.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prometheus text exposition format 0.0.4 for a Dropwizard registry whose names follow
 * {@link MetricNames}. Mapping: counter and meter -> counter ({@code _total}; a meter also exports
 * its one-minute rate as a gauge {@code _rate1m}); gauge -> gauge; timer -> summary in seconds;
 * histogram -> summary. Summary quantiles come from Dropwizard's decaying reservoir, and
 * {@code _sum} is mean x count, so it is an estimate over the reservoir window.
 */
public final class PrometheusText {
    private static final double[] QUANTILES = {0.5, 0.95, 0.99};

    private PrometheusText() {
    }

    public static String format(MetricRegistry registry) {
        Map<String, Family> families = new TreeMap<>();
        for (Map.Entry<String, Metric> e : registry.getMetrics().entrySet()) {
            String name = e.getKey();
            int brace = name.indexOf('{');
            String base = brace < 0 ? name : name.substring(0, brace);
            String labels = brace < 0 ? "" : name.substring(brace + 1, name.length() - 1);
            Metric m = e.getValue();
            if (m instanceof Counter c) {
                family(families, base + "_total", "counter").add(base + "_total", labels, null, c.getCount());
            } else if (m instanceof Meter meter) {
                family(families, base + "_total", "counter").add(base + "_total", labels, null, meter.getCount());
                family(families, base + "_rate1m", "gauge").add(base + "_rate1m", labels, null, meter.getOneMinuteRate());
            } else if (m instanceof Timer t) {
                summary(family(families, base, "summary"), base, labels, t.getSnapshot(), t.getCount(), 1e-9);
            } else if (m instanceof Histogram h) {
                summary(family(families, base, "summary"), base, labels, h.getSnapshot(), h.getCount(), 1.0);
            } else if (m instanceof Gauge<?> g && g.getValue() instanceof Number n) {
                family(families, base, "gauge").add(base, labels, null, n.doubleValue());
            }
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, Family> f : families.entrySet()) {
            out.append("# TYPE ").append(f.getKey()).append(' ').append(f.getValue().type).append('\n');
            for (String line : f.getValue().lines) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static void summary(Family f, String base, String labels, Snapshot s, long count, double scale) {
        for (double q : QUANTILES) {
            f.add(base, labels, "quantile=\"" + q + "\"", s.getValue(q) * scale);
        }
        f.add(base + "_sum", labels, null, s.getMean() * scale * count);
        f.add(base + "_count", labels, null, count);
    }

    private static Family family(Map<String, Family> families, String name, String type) {
        return families.computeIfAbsent(name, k -> new Family(type));
    }

    private static final class Family {
        final String type;
        final List<String> lines = new ArrayList<>();

        Family(String type) {
            this.type = type;
        }

        void add(String name, String labels, String extraLabel, double value) {
            StringBuilder b = new StringBuilder(name);
            String all = labels.isEmpty() ? (extraLabel == null ? "" : extraLabel)
                    : (extraLabel == null ? labels : labels + "," + extraLabel);
            if (!all.isEmpty()) {
                b.append('{').append(all).append('}');
            }
            b.append(' ').append(number(value));
            lines.add(b.toString());
        }
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
