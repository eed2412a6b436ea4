package io.hifadhi.api.auth;

/**
 * The outcome of an access check. A denial carries text safe to show the caller (never a secret).
 */
public record AccessDecision(boolean allowed, String message, String hint) {
    public static AccessDecision allow() {
        return new AccessDecision(true, null, null);
    }

    public static AccessDecision deny(String message, String hint) {
        return new AccessDecision(false, message, hint);
    }
}
