package io.hifadhi.api.console;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's signed-in browsers on this node: a random token (the cookie) stands for the access key
 * it was opened with, and for the SHARD-KEY when one was given, until it expires. Sessions live in this
 * node's memory only: a browser signs in again after a restart or on another node. Bounded: when full,
 * the session closest to expiry makes room.
 */
public final class ConsoleSessions {
    /**
     * @param accessKey the S3 access key whose permissions every bucket action is checked against, or null
     * @param shardKey  the cluster secret, checked at sign-in, for the admin pages; or null
     */
    public record Session(String token, String accessKey, String shardKey, Instant expires) {
        public boolean admin() {
            return shardKey != null;
        }

        @Override
        public String toString() {
            return "Session[" + accessKey + (admin() ? ", admin" : "") + ", until " + expires + "]";
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final Duration lifetime;
    private final int capacity;

    public ConsoleSessions(Clock clock, Duration lifetime, int capacity) {
        this.clock = clock;
        this.lifetime = lifetime;
        this.capacity = capacity;
    }

    public Duration lifetime() {
        return lifetime;
    }

    public Session open(String accessKey, String shardKey) {
        dropExpired();
        while (sessions.size() >= capacity) {
            sessions.values().stream().min(Comparator.comparing(Session::expires))
                    .ifPresent(oldest -> sessions.remove(oldest.token()));
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Session s = new Session(token, accessKey, shardKey, clock.instant().plus(lifetime));
        sessions.put(token, s);
        return s;
    }

    /** The live session this token names; an expired one is dropped. */
    public Optional<Session> find(String token) {
        if (token == null) {
            return Optional.empty();
        }
        Session s = sessions.get(token);
        if (s == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(s.expires())) {
            sessions.remove(token);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    public void close(String token) {
        if (token != null) {
            sessions.remove(token);
        }
    }

    private void dropExpired() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> !now.isBefore(s.expires()));
    }
}
