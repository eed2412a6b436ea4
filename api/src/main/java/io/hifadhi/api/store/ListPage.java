package io.hifadhi.api.store;

import java.util.List;

/** @param truncated whether more keys follow the last one returned */
public record ListPage(List<ObjectInfo> objects, boolean truncated) {
    public ListPage {
        objects = List.copyOf(objects);
    }
}
