package io.hifadhi.api.s3;

import io.hifadhi.api.signature.RequestView;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** An Undertow exchange as the signature package sees it: raw path and query exactly as sent. */
public final class ExchangeView implements RequestView {
    private final HttpServerExchange exchange;
    private final String rawPath;
    private final String rawQuery;

    public ExchangeView(HttpServerExchange exchange) {
        this.exchange = exchange;
        // With DECODE_URL off Undertow keeps the request line's bytes as ISO-8859-1 characters.
        this.rawPath = utf8(exchange.getRequestPath());
        this.rawQuery = utf8(exchange.getQueryString() == null ? "" : exchange.getQueryString());
    }

    @Override
    public String method() {
        return exchange.getRequestMethod().toString();
    }

    @Override
    public String rawPath() {
        return rawPath;
    }

    @Override
    public String rawQuery() {
        return rawQuery;
    }

    @Override
    public List<String> headers(String name) {
        HeaderValues values = exchange.getRequestHeaders().get(name);
        return values == null ? List.of() : List.copyOf(values);
    }

    @Override
    public Set<String> headerNames() {
        Set<String> names = new TreeSet<>();
        for (HttpString h : exchange.getRequestHeaders().getHeaderNames()) {
            names.add(h.toString().toLowerCase(Locale.ROOT));
        }
        return names;
    }

    static String utf8(String latin1) {
        for (int i = 0; i < latin1.length(); i++) {
            char c = latin1.charAt(i);
            if (c > 0x7f) {
                if (c > 0xff) {
                    return latin1; // already decoded text
                }
                return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
        }
        return latin1;
    }
}
