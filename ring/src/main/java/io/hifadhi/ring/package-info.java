/**
 * Placement math for Hifadhi: a 64-bit consistent-hash ring with virtual nodes, zone-aware preference
 * lists and transfer plans between two rings. Pure and deterministic: no I/O, no threads, no clocks.
 *
 * <p>Entry points: {@link io.hifadhi.ring.Ring#of(java.util.Collection)} builds a ring from a member set,
 * {@link io.hifadhi.ring.KeyHash} turns object keys and chunk ids into ring positions,
 * {@link io.hifadhi.ring.Ring#preferenceList(long, int, int)} names the replicas and fallbacks of a key, and
 * {@link io.hifadhi.ring.TransferPlan#between(Ring, Ring, int)} says which ranges move when the ring changes.
 */
package io.hifadhi.ring;
