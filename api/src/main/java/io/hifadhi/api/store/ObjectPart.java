package io.hifadhi.api.store;

/**
 * One part of an object published by a multipart upload, in object order: its boundaries serve GET with
 * {@code partNumber} and GetObjectAttributes' ObjectParts.
 *
 * @param number   the part number the client uploaded it under
 * @param checksum the part's own checksum (base64, the object's algorithm), null when it has none
 */
public record ObjectPart(int number, long size, String checksum) {
}
