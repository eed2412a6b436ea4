package io.hifadhi.membership;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes a member's metadata as one Atomix member property. One property, not one per field, because Atomix
 * merges properties and never removes them: a single value keeps every update atomic.
 */
final class MetadataCodec {

    static final String PROPERTY = "hifadhi.member";
    private static final String VERSION = "1";

    /** Metadata plus the process incarnation it belongs to. */
    record Gossiped(MemberMetadata metadata, String incarnation) {
    }

    private MetadataCodec() {
    }

    static String encode(MemberMetadata m, String incarnation) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("v", VERSION);
        f.put("id", m.id());
        f.put("inc", incarnation);
        f.put("http", m.httpAddress());
        if (!m.dataAddress().isEmpty()) {
            f.put("data", m.dataAddress());
        }
        f.put("zone", m.zone());
        f.put("cap", Long.toString(m.capacityBytes()));
        f.put("used", Long.toString(m.usedBytes()));
        f.put("state", m.state().name());
        f.put("rps", Double.toString(m.load().requestsPerSecond()));
        f.put("bin", Double.toString(m.load().bytesInPerSecond()));
        f.put("bout", Double.toString(m.load().bytesOutPerSecond()));
        f.put("hot", Integer.toString(m.load().hotObjects()));
        f.put("rf", Integer.toString(m.settings().replication()));
        f.put("wq", Integer.toString(m.settings().writeQuorum()));
        f.put("rq", Integer.toString(m.settings().readQuorum()));
        f.put("chunk", Integer.toString(m.settings().chunkSize()));
        return Wire.encode(f);
    }

    /** @throws IllegalArgumentException when the text is not metadata of a version we understand */
    static Gossiped decode(String text) {
        Map<String, String> f = Wire.decode(text);
        if (!VERSION.equals(f.get("v"))) {
            throw new IllegalArgumentException("unknown metadata version " + f.get("v"));
        }
        try {
            ClusterSettings settings = new ClusterSettings(Integer.parseInt(Wire.require(f, "rf")),
                    Integer.parseInt(Wire.require(f, "wq")), Integer.parseInt(Wire.require(f, "rq")),
                    Integer.parseInt(Wire.require(f, "chunk")));
            // "hot" is newer than the rest of version 1: a member that does not send it spreads nothing.
            LoadDigest load = new LoadDigest(Double.parseDouble(Wire.require(f, "rps")),
                    Double.parseDouble(Wire.require(f, "bin")), Double.parseDouble(Wire.require(f, "bout")),
                    Integer.parseInt(f.getOrDefault("hot", "0")));
            // "data" is newer than the rest of version 1: a member that does not send it serves chunks over the cluster port.
            MemberMetadata m = new MemberMetadata(Wire.require(f, "id"), Wire.require(f, "http"), f.getOrDefault("data", ""),
                    Wire.require(f, "zone"), Long.parseLong(Wire.require(f, "cap")),
                    Long.parseLong(Wire.require(f, "used")), MemberState.valueOf(Wire.require(f, "state")), load,
                    settings);
            return new Gossiped(m, Wire.require(f, "inc"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad metadata: " + e.getMessage(), e);
        }
    }
}
