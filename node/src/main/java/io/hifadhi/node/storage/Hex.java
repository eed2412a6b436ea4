package io.hifadhi.node.storage;

import java.util.HexFormat;

final class Hex {
    private static final HexFormat FORMAT = HexFormat.of();

    private Hex() {
    }

    static String of(byte[] bytes) {
        return FORMAT.formatHex(bytes);
    }

    static byte[] parse(String hex) {
        return FORMAT.parseHex(hex);
    }
}
