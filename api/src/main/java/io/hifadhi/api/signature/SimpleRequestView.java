package io.hifadhi.api.signature;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A plain immutable {@link RequestView}: header names are lower-cased on the way in so look-ups are
 * case-insensitive. Used by tests and by HTTP adapters that prefer copying headers to wrapping.
 */
public record SimpleRequestView(String method, String rawPath, String rawQuery, Map<String, List<String>> headerMap)
        implements RequestView {

    public SimpleRequestView {
        if (method == null || method.isEmpty()) {
            throw new IllegalArgumentException("method is required");
        }
        rawPath = rawPath == null ? "" : rawPath;
        rawQuery = rawQuery == null ? "" : rawQuery;
        Map<String, List<String>> copy = new TreeMap<>();
        headerMap.forEach((name, values) -> copy.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .addAll(values));
        copy.replaceAll((k, v) -> List.copyOf(v));
        headerMap = java.util.Collections.unmodifiableMap(copy);
    }

    /** Builds a view from a request target such as {@code /bucket/key?uploads}. */
    public static SimpleRequestView of(String method, String pathAndQuery, Map<String, List<String>> headers) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
        return new SimpleRequestView(method, path, query, headers);
    }

    @Override
    public List<String> headers(String name) {
        return headerMap.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    @Override
    public Set<String> headerNames() {
        return headerMap.keySet();
    }
}
