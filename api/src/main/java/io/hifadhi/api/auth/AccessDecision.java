package io.hifadhi.api.auth;

/**
 * The outcome of an access check. A denial carries the HTTP status, an error code and text safe to
 * show the caller (never a secret, never an expected signature).
 *
 * @param allowed   whether the request may proceed
 * @param presented whether the caller offered this policy's kind of credential at all; a denial of
 *                  credentials actually presented is more useful to report than "you sent nothing"
 * @param status    401 when credentials are missing or wrong, 403 when a link is refused
 * @param error     machine-readable code for the JSON error body
 */
public record AccessDecision(boolean allowed, boolean presented, int status, String error, String message, String hint) {
    public static AccessDecision allow() {
        return new AccessDecision(true, true, 200, null, null, null);
    }

    /** No credentials of this kind were sent: 401. */
    public static AccessDecision absent(String message, String hint) {
        return new AccessDecision(false, false, 401, "unauthorized", message, hint);
    }

    /** Credentials were sent and are wrong: 401 (wrong key). */
    public static AccessDecision deny(String message, String hint) {
        return new AccessDecision(false, true, 401, "unauthorized", message, hint);
    }

    /** A presented credential was refused for a stated reason: 403. */
    public static AccessDecision forbid(String error, String message, String hint) {
        return new AccessDecision(false, true, 403, error, message, hint);
    }
}
