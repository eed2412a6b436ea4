package io.hifadhi.api.http;

import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;

/** The size of a request's header block as sent ({@code name: value\r\n} a line). */
public final class HeaderBlock {
    private HeaderBlock() {
    }

    public static long size(HeaderMap headers) {
        long size = 0;
        for (HeaderValues values : headers) {
            for (String value : values) {
                size += values.getHeaderName().length() + 2 + value.length() + 2;
            }
        }
        return size;
    }
}
