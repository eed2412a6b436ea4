package io.hifadhi.api.console;

import io.hifadhi.api.auth.Cidr;
import io.hifadhi.api.auth.ClientAddress;
import io.hifadhi.api.auth.PresignKey;
import io.hifadhi.api.auth.PresignedLink;
import io.hifadhi.api.http.PercentDecoder;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Links the console hands out for one S3 object: {@code /ui/share/<access key>/<bucket>/<key>} with the
 * native presigned-link parameters (expiry, optional network, HMAC under the key derived from the
 * cluster secret), so they verify on every node. The link carries the access key that shared it: it
 * is served as that key, so it stops working when the key loses read access or is deleted, as an S3
 * presigned URL would.
 */
final class ShareLinks {
    static final String PREFIX = "/ui/share/";
    static final Duration MAX_LIFETIME = Duration.ofDays(7);
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    /** What a verified link opens. */
    record Shared(String accessKey, String bucket, String key) {
    }

    /** A refused link: the error code and a message for the person holding it. */
    static final class Refused extends Exception {
        final String code;

        Refused(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    private final PresignKey key;
    private final ClientAddress clients;
    private final Clock clock;

    ShareLinks(PresignKey key, ClientAddress clients, Clock clock) {
        this.key = key;
        this.clients = clients;
        this.clock = clock;
    }

    /** The path and query of a new link (append to the scheme and host). */
    String mint(String accessKey, String bucket, String objectKey, Duration lifetime, Cidr ip) {
        long expires = clock.instant().plus(lifetime).getEpochSecond();
        PresignedLink link = new PresignedLink("GET", path(accessKey, bucket, objectKey), expires, ip);
        return link.path() + "?" + link.queryString(key.sign(link));
    }

    /** Checks a link: signature, expiry, network. {@code rawRest} is the raw path after the prefix. */
    Shared verify(String rawRest, String rawQuery, io.undertow.server.HttpServerExchange exchange) throws Refused {
        String[] parts = rawRest.split("/", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new Refused("share_malformed", "This is not a share link: it names no access key, bucket and object.");
        }
        String accessKey;
        String bucket;
        String objectKey;
        try {
            accessKey = PercentDecoder.decodePath(parts[0]);
            bucket = PercentDecoder.decodePath(parts[1]);
            objectKey = PercentDecoder.decodePath(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new Refused("share_malformed", "The link's path is not valid percent-encoded UTF-8.");
        }
        Map<String, String> params = parameters(rawQuery);
        String expiresText = params.get(PresignedLink.EXPIRES);
        String signature = params.get(PresignedLink.SIGNATURE);
        if (expiresText == null || signature == null || !"GET".equals(params.getOrDefault(PresignedLink.METHOD, "GET"))) {
            throw new Refused("share_malformed", "The link lacks its expiry or signature; it was cut short when copied.");
        }
        long expires;
        Cidr ip;
        try {
            expires = Long.parseLong(expiresText);
            ip = params.containsKey(PresignedLink.IP) ? Cidr.parse(PercentDecoder.decodePath(params.get(PresignedLink.IP))) : null;
        } catch (IllegalArgumentException e) {
            throw new Refused("share_malformed", "The link's expiry or network is malformed.");
        }
        PresignedLink link = new PresignedLink("GET", path(accessKey, bucket, objectKey), expires, ip);
        if (!key.verify(link, signature)) {
            throw new Refused("share_signature_mismatch", "The link's signature does not match: it was changed, or "
                    + "signed by another cluster.");
        }
        long now = clock.instant().getEpochSecond();
        if (now > expires) {
            throw new Refused("share_expired", "The link expired; ask whoever shared it for a new one.");
        }
        if (expires > now + MAX_LIFETIME.plus(CLOCK_SKEW).getSeconds()) {
            throw new Refused("share_lifetime_exceeded", "The link claims to live longer than links may (7 days).");
        }
        if (ip != null) {
            InetAddress client = clients.of(exchange);
            if (client == null || !ip.contains(client)) {
                throw new Refused("share_ip_refused", "The link works only from another network, not from "
                        + (client == null ? "this address" : client.getHostAddress()) + ".");
            }
        }
        return new Shared(accessKey, bucket, objectKey);
    }

    static String path(String accessKey, String bucket, String objectKey) {
        // Every segment fully encoded, '/' included: the key is one segment, and one spelling signs.
        return PREFIX + PresignedLink.encode(accessKey) + "/" + PresignedLink.encode(bucket) + "/"
                + PresignedLink.encode(objectKey);
    }

    private static Map<String, String> parameters(String rawQuery) throws Refused {
        Map<String, String> out = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (name.startsWith("X-Hifadhi-") && out.put(name, eq < 0 ? "" : pair.substring(eq + 1)) != null) {
                throw new Refused("share_malformed", "The link repeats " + name + ".");
            }
        }
        return out;
    }
}
