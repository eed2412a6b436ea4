package io.hifadhi.node.metrics;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusTextTest {
    @Test
    void exposesCountersMetersTimersAndGauges() {
        NodeMetrics metrics = new NodeMetrics(System.currentTimeMillis());
        metrics.requestCompleted("store", 200, 2_000_000_000L, 1000, 10);
        metrics.requestCompleted("store", 200, 2_000_000_000L, 500, 10);
        metrics.requestCompleted("store", 401, 1_000_000L, 0, 200);
        metrics.registry().counter(MetricNames.of("hifadhi_test", "path", "a\"b\\c")).inc(3);
        String text = metrics.prometheusText();
        List<String> lines = Arrays.asList(text.split("\n"));
        assertTrue(lines.contains("hifadhi_http_requests_total{endpoint=\"store\",status=\"200\"} 2"), text);
        assertTrue(lines.contains("hifadhi_http_requests_total{endpoint=\"store\",status=\"401\"} 1"), text);
        assertTrue(lines.contains("hifadhi_http_received_bytes_total{endpoint=\"store\"} 1500"), text);
        assertTrue(lines.contains("hifadhi_http_sent_bytes_total{endpoint=\"store\"} 220"), text);
        assertTrue(lines.contains("hifadhi_http_request_duration_seconds_count{endpoint=\"store\"} 3"), text);
        assertTrue(lines.contains("hifadhi_test_total{path=\"a\\\"b\\\\c\"} 3"), text);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("hifadhi_http_request_duration_seconds{endpoint=\"store\",quantile=\"0.99\"} 2")), text);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("jvm_memory_heap_used_bytes ")), text);
        // One TYPE line per family, before its samples.
        assertEquals(1, lines.stream().filter(l -> l.equals("# TYPE hifadhi_http_requests_total counter")).count());
        assertEquals(1, lines.stream().filter(l -> l.equals("# TYPE hifadhi_http_request_duration_seconds summary")).count());
        for (String l : lines) {
            assertTrue(l.startsWith("# TYPE ") || l.matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*})? [-+0-9.eE]+|.* NaN"), l);
        }
    }

    @Test
    void numbers() {
        assertEquals("3", PrometheusText.number(3.0));
        assertEquals("0.5", PrometheusText.number(0.5));
        assertEquals("NaN", PrometheusText.number(Double.NaN));
        assertEquals("+Inf", PrometheusText.number(Double.POSITIVE_INFINITY));
    }
}
