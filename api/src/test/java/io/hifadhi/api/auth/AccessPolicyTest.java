package io.hifadhi.api.auth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessPolicyTest {
    static final AccessPolicy NOTHING_SENT = (e, op, q) -> AccessDecision.absent("needs key", null);
    static final AccessPolicy WRONG_KEY = (e, op, q) -> AccessDecision.deny("wrong key", null);
    static final AccessPolicy TAMPERED = (e, op, q) -> AccessDecision.forbid("presign_signature_mismatch", "tampered", null);
    static final AccessPolicy OK = (e, op, q) -> AccessDecision.allow();

    @Test
    void anyAllowingPolicyAllows() {
        assertTrue(AccessPolicy.anyOf(NOTHING_SENT, OK).check(null, NativeOperation.RETRIEVE, "a@b").allowed());
        assertTrue(AccessPolicy.anyOf(OK, TAMPERED).check(null, NativeOperation.RETRIEVE, "a@b").allowed());
    }

    @Test
    void theDenialOfCredentialsActuallyPresentedIsReported() {
        AccessDecision d = AccessPolicy.anyOf(NOTHING_SENT, TAMPERED).check(null, NativeOperation.RETRIEVE, "a@b");
        assertEquals(403, d.status());
        assertEquals("presign_signature_mismatch", d.error());
        d = AccessPolicy.anyOf(WRONG_KEY, TAMPERED).check(null, NativeOperation.RETRIEVE, "a@b");
        assertEquals(401, d.status());
        assertEquals("wrong key", d.message());
        d = AccessPolicy.anyOf(NOTHING_SENT, NOTHING_SENT).check(null, NativeOperation.RETRIEVE, "a@b");
        assertEquals(401, d.status());
        assertEquals("unauthorized", d.error());
    }
}
