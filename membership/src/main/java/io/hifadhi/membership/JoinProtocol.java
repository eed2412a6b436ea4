package io.hifadhi.membership;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The join handshake: the joiner proves the secret and shows its settings to a seed, the seed answers accept
 * or refuse-with-reason and proves the secret back. Pure message logic; Membership does the transport.
 */
final class JoinProtocol {

    /** Seed's answer as the joiner reads it. */
    record Answer(boolean accepted, MembershipRefusedException.Reason reason, String message, String seedId) {
    }

    private JoinProtocol() {
    }

    static Map<String, String> request(ClusterSecret secret, String id, String incarnation, String clusterAddress,
                                       ClusterSettings settings, String nonce) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("id", id);
        f.put("inc", incarnation);
        f.put("addr", clusterAddress);
        f.put("nonce", nonce);
        f.put("settings", settings.canonical());
        f.put("rf", Integer.toString(settings.replication()));
        f.put("wq", Integer.toString(settings.writeQuorum()));
        f.put("rq", Integer.toString(settings.readQuorum()));
        f.put("chunk", Integer.toString(settings.chunkSize()));
        f.put("mac", secret.macHex(requestMacInput(f)));
        return f;
    }

    private static String requestMacInput(Map<String, String> f) {
        return "join-req|" + f.get("id") + "|" + f.get("inc") + "|" + f.get("addr") + "|" + f.get("nonce") + "|"
                + f.get("settings");
    }

    private static String replyMacInput(String nonce, String seedId, String outcome, String reason, String message) {
        return "join-rep|" + nonce + "|" + seedId + "|" + outcome + "|" + reason + "|" + message;
    }

    /** Seed side: decide on a join request. */
    static Map<String, String> answer(ClusterSecret secret, ClusterSettings clusterSettings, ClusterView view,
                                      Map<String, String> req) {
        String nonce = req.getOrDefault("nonce", "");
        String seedId = view.localId();
        try {
            if (!secret.verify(requestMacInput(req), Wire.require(req, "mac"))) {
                // Same preamble but no proof: a 32-bit preamble collision or a forged request. Unsigned answer.
                return Map.of("outcome", "refused", "reason", MembershipRefusedException.Reason.SECRET_MISMATCH.name(),
                        "message", "the join request was not signed with this cluster's secret (SHARD_KEY)",
                        "seed", seedId);
            }
            ClusterSettings theirs = new ClusterSettings(Integer.parseInt(req.get("rf")),
                    Integer.parseInt(req.get("wq")), Integer.parseInt(req.get("rq")),
                    Integer.parseInt(req.get("chunk")));
            if (!theirs.canonical().equals(req.get("settings"))) {
                throw new IllegalArgumentException("settings fields disagree with the signed settings");
            }
            var diffs = theirs.differences(clusterSettings);
            if (!diffs.isEmpty()) {
                return signed(secret, nonce, seedId, "refused", MembershipRefusedException.Reason.SETTINGS_MISMATCH,
                        "cluster settings differ: " + String.join("; ", diffs));
            }
            String id = req.get("id");
            Optional<Member> existing = view.member(id);
            if (existing.isPresent() && existing.get().isReachable()
                    && !existing.get().clusterAddress().equals(req.get("addr"))) {
                return signed(secret, nonce, seedId, "refused", MembershipRefusedException.Reason.DUPLICATE_ID,
                        "member id '" + id + "' is already used by a live member at "
                                + existing.get().clusterAddress());
            }
            return signed(secret, nonce, seedId, "accepted", null, "welcome");
        } catch (IllegalArgumentException e) {
            return Map.of("outcome", "refused", "reason", MembershipRefusedException.Reason.SECRET_MISMATCH.name(),
                    "message", "malformed join request: " + e.getMessage(), "seed", seedId);
        }
    }

    private static Map<String, String> signed(ClusterSecret secret, String nonce, String seedId, String outcome,
                                              MembershipRefusedException.Reason reason, String message) {
        Map<String, String> f = new LinkedHashMap<>();
        String r = reason == null ? "" : reason.name();
        f.put("outcome", outcome);
        f.put("reason", r);
        f.put("message", message);
        f.put("seed", seedId);
        f.put("mac", secret.macHex(replyMacInput(nonce, seedId, outcome, r, message)));
        return f;
    }

    /** Joiner side: read and check the seed's answer to our request with {@code nonce}. */
    static Answer read(ClusterSecret secret, String nonce, Map<String, String> reply) {
        String outcome = reply.getOrDefault("outcome", "");
        String reason = reply.getOrDefault("reason", "");
        String message = reply.getOrDefault("message", "");
        String seed = reply.getOrDefault("seed", "?");
        String mac = reply.get("mac");
        if (mac == null || !secret.verify(replyMacInput(nonce, seed, outcome, reason, message), mac)) {
            String why = "accepted".equals(outcome) ? "the seed did not prove the cluster secret"
                    : "the seed says: " + message;
            return new Answer(false, MembershipRefusedException.Reason.SECRET_MISMATCH,
                    "seed " + seed + " does not share our cluster secret (SHARD_KEY): " + why, seed);
        }
        if ("accepted".equals(outcome)) {
            return new Answer(true, null, message, seed);
        }
        MembershipRefusedException.Reason r;
        try {
            r = MembershipRefusedException.Reason.valueOf(reason);
        } catch (IllegalArgumentException e) {
            r = MembershipRefusedException.Reason.SETTINGS_MISMATCH;
        }
        return new Answer(false, r, message, seed);
    }
}
