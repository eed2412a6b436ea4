package io.hifadhi.chaos.history;

/**
 * What a successful read returned: nothing, the body of one identified write, or bytes that do not
 * decode to any write (the detail says why).
 */
public record Observed(Kind kind, long writeId, String detail) {
    public enum Kind { ABSENT, VALUE, GARBAGE }

    public static Observed absent() {
        return new Observed(Kind.ABSENT, 0, null);
    }

    public static Observed value(long writeId) {
        return new Observed(Kind.VALUE, writeId, null);
    }

    public static Observed garbage(String detail) {
        return new Observed(Kind.GARBAGE, 0, detail);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case ABSENT -> "absent";
            case VALUE -> "write#" + writeId;
            case GARBAGE -> "garbage(" + detail + ")";
        };
    }
}
