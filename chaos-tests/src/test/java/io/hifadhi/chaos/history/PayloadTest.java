package io.hifadhi.chaos.history;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PayloadTest {
    @Test
    void bodyIdentifiesItsWrite() {
        byte[] body = Payload.body("k-0001", 42, 100_000);
        assertEquals(100_000, body.length);
        assertEquals(Observed.value(42), Payload.identify("k-0001", body));
    }

    @Test
    void bodiesAreDeterministicAndDistinct() {
        assertArrayEquals(Payload.body("k", 7, 5000), Payload.body("k", 7, 5000));
        assertFalse(Arrays.equals(Payload.body("k", 7, 5000), Payload.body("k", 8, 5000)));
    }

    @Test
    void oneFlippedByteIsGarbage() {
        byte[] body = Payload.body("k", 3, 70_000);
        body[65_000] ^= 1;
        Observed o = Payload.identify("k", body);
        assertEquals(Observed.Kind.GARBAGE, o.kind());
        assertEquals("write#3 differs at byte 65000", o.detail());
    }

    @Test
    void truncatedOrExtendedBodyIsGarbage() {
        byte[] body = Payload.body("k", 3, 1000);
        assertEquals(Observed.Kind.GARBAGE, Payload.identify("k", Arrays.copyOf(body, 999)).kind());
        assertEquals(Observed.Kind.GARBAGE, Payload.identify("k", Arrays.copyOf(body, 1001)).kind());
    }

    @Test
    void anotherKeysBodyIsGarbage() {
        Observed o = Payload.identify("k-2", Payload.body("k-1", 3, 1000));
        assertEquals(Observed.Kind.GARBAGE, o.kind());
    }

    @Test
    void bytesWithoutHeaderAreGarbage() {
        assertEquals(Observed.Kind.GARBAGE, Payload.identify("k", new byte[3000]).kind());
        assertEquals(Observed.Kind.GARBAGE, Payload.identify("k", new byte[0]).kind());
    }

    @Test
    void tooSmallSizeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Payload.body("k", 1, 10));
        byte[] min = Payload.body("k", 1, Payload.minSize("k", 1));
        assertEquals(Observed.value(1), Payload.identify("k", min));
    }
}
