package io.hifadhi.api.signature;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The little of an HTTP request that signature checking needs, so this package stays free of any
 * HTTP server's types; the HTTP layer adapts its exchange to this.
 *
 * <p>{@link #rawPath()} and {@link #rawQuery()} must be exactly as received on the wire (still
 * percent-encoded): the signature covers the client's encoding, so a decoded-then-re-encoded path
 * could differ from what was signed. Characters above U+007F in them are taken as UTF-8 text.
 */
public interface RequestView {

    /** The HTTP method, e.g. {@code GET}. */
    String method();

    /** The path as sent, percent-encoded, without the query; never null. */
    String rawPath();

    /** The query string as sent, without the leading '?'; empty when there is none; never null. */
    String rawQuery();

    /** Every value of the header, in arrival order; name matched case-insensitively; empty if absent. */
    List<String> headers(String name);

    /** The names of all headers present, lower-cased. */
    Set<String> headerNames();

    /** The first value of the header, if any. */
    default Optional<String> header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
}
