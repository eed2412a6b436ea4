package io.hifadhi.chaos.history;

/**
 * WORKLOAD ops run while faults may be injected. CONVERGENCE reads poll every node after faults
 * stopped until they agree (checked for foreign bytes, not for staleness: they measure how long
 * agreement takes). FINAL reads are the last round, once agreement was reached or the wait ran out,
 * and prove that no acknowledged write was lost.
 */
public enum Phase {
    WORKLOAD, CONVERGENCE, FINAL
}
