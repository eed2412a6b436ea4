package io.hifadhi.membership;

/** Verdict of our own failure detector (not Atomix's, which never notices a hung process). */
public enum Reachability {
    REACHABLE,
    UNREACHABLE
}
