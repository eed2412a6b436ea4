package io.hifadhi.api.multipart;

import java.io.InputStream;
import java.util.Map;

/**
 * One part of a multipart body. {@code body} is valid only until the next call to
 * {@link MultipartReader#next()}.
 *
 * @param headers    lower-case header names
 * @param fileName   the Content-Disposition filename parameter, or null
 * @param contentType the part's Content-Type, or null
 */
public record Part(String name, String fileName, String contentType, Map<String, String> headers, InputStream body) {
}
