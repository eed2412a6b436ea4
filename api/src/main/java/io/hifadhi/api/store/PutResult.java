package io.hifadhi.api.store;

/** @param replaced whether a live object was overwritten */
public record PutResult(ObjectInfo object, boolean replaced) {
}
