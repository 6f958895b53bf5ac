package io.outrigger.upstream;

import io.outrigger.upstream.lb.HashRing;
import io.outrigger.upstream.lb.LoadBalancerFactory.HashStructure;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The disruption of one host-set change of a hashing cluster: of a fixed sample of the key space, the fraction that
 * maps to another host after the change, and between which hosts ({@code /debug/hash}). Consistent hashing promises
 * that only keys of hosts that left or joined move; this shows what the ring or table actually did.
 *
 * @param atNanos  {@code System.nanoTime()} of the change
 * @param reason   what changed, e.g. {@code 127.0.0.1:9102 now unhealthy}
 * @param before   hosts in use before
 * @param after    hosts in use after
 * @param sample   keys sampled ({@link #SAMPLE_KEYS})
 * @param moved    sampled keys whose host changed
 * @param flows    the moves by (from, to), most keys first
 */
public record HostSetChange(long atNanos, String reason, int before, int after, int sample, int moved, List<Flow> flows) {
    /** Keys sampled per change: 10,000 (a moved fraction to ±1% at 95%). */
    public static final int SAMPLE_KEYS = 10_000;
    private static final long[] KEYS = new long[SAMPLE_KEYS];

    static {
        for (int i = 0; i < SAMPLE_KEYS; i++) {
            KEYS[i] = HashRing.hashKey(("outrigger-sample-key-" + i).getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * Moves from one host to another.
     *
     * @param from {@code ip:port}, or {@code -} for none
     * @param to   {@code ip:port}, or {@code -} for none
     * @param keys sampled keys that moved this way
     */
    public record Flow(String from, String to, int keys) {
    }

    /** The fraction of sampled keys that moved, 0..1. */
    public double movedFraction() {
        return moved / (double) sample;
    }

    /**
     * Compares where the sample keys land before and after (about 20,000 lookups: a few milliseconds; call off the
     * event loops).
     */
    static HostSetChange measure(HashStructure before, HashStructure after, String reason, long atNanos) {
        Map<String, Integer> flows = new HashMap<>();
        int moved = 0;
        for (long k : KEYS) {
            Host a = before.lookup(k);
            Host b = after.lookup(k);
            // by address: a reload rebuilds a changed cluster's hosts as new objects at the same addresses
            if (a != b && (a == null || b == null || !a.address().equals(b.address()))) {
                moved++;
                flows.merge((a == null ? "-" : a.addressString()) + " " + (b == null ? "-" : b.addressString()), 1,
                        Integer::sum);
            }
        }
        List<Flow> list = new ArrayList<>();
        flows.forEach((k, v) -> {
            int sp = k.indexOf(' ');
            list.add(new Flow(k.substring(0, sp), k.substring(sp + 1), v));
        });
        list.sort(Comparator.comparingInt(Flow::keys).reversed().thenComparing(Flow::from).thenComparing(Flow::to));
        return new HostSetChange(atNanos, reason, before.hosts().size(), after.hosts().size(), SAMPLE_KEYS, moved,
                List.copyOf(list));
    }
}
