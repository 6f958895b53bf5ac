package io.outrigger.upstream.lb;

import io.outrigger.upstream.Host;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.openhft.hashing.LongHashFunction;

/**
 * An immutable Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI '16, §3.4), weighted as Envoy does ({@code maglev_lb.cc}): each host has a permutation of
 * the table's slots, {@code offset = h1(host) mod M} and {@code skip = h2(host) mod (M-1) + 1}; hosts take
 * turns claiming their next free preferred slot, a host of weight w taking a turn in w of every maxWeight
 * rounds, until the table is full. A key maps to {@code table[hash mod M]}: one array read. The table size
 * M must be prime; Envoy's (and the paper's §5.3 recommendation for small host counts) is 65,537.
 */
public final class MaglevTable {
    public static final int DEFAULT_TABLE_SIZE = 65_537;
    private static final LongHashFunction H1 = LongHashFunction.xx(0);
    private static final LongHashFunction H2 = LongHashFunction.xx(1);

    private final Host[] table;
    private final Host[] distinct;

    private MaglevTable(Host[] table, Host[] distinct) {
        this.table = table;
        this.distinct = distinct;
    }

    /**
     * @param tableSize a prime, larger than the number of hosts
     * @throws IllegalArgumentException when {@code tableSize} is not a prime above the host count
     */
    public static MaglevTable build(List<Host> hosts, int tableSize) {
        if (!isPrime(tableSize) || tableSize <= hosts.size()) {
            throw new IllegalArgumentException("table_size: " + tableSize + " (expected: a prime above the host count)");
        }
        int n = hosts.size();
        Host[] table = new Host[tableSize];
        if (n == 0) {
            return new MaglevTable(table, new Host[0]);
        }
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        long[] target = new long[n];
        long maxWeight = 0;
        for (int i = 0; i < n; i++) {
            byte[] key = hosts.get(i).addressString().getBytes(StandardCharsets.US_ASCII);
            offset[i] = Long.remainderUnsigned(H1.hashBytes(key), tableSize);
            skip[i] = Long.remainderUnsigned(H2.hashBytes(key), tableSize - 1) + 1;
            maxWeight = Math.max(maxWeight, hosts.get(i).weight());
        }
        int filled = 0;
        for (long iteration = 1; filled < tableSize; iteration++) {
            for (int i = 0; i < n && filled < tableSize; i++) {
                // A host of the largest weight takes a turn every round; one of a third of it every third round.
                if (iteration * hosts.get(i).weight() < target[i]) {
                    continue;
                }
                target[i] += maxWeight;
                int c = (int) ((offset[i] + skip[i] * next[i]) % tableSize);
                while (table[c] != null) {
                    next[i]++;
                    c = (int) ((offset[i] + skip[i] * next[i]) % tableSize);
                }
                table[c] = hosts.get(i);
                next[i]++;
                filled++;
            }
        }
        return new MaglevTable(table, hosts.toArray(new Host[0]));
    }

    /** The host for {@code hash}; {@code null} for an empty table. */
    public Host lookup(long hash) {
        return distinct.length == 0 ? null : table[(int) Long.remainderUnsigned(hash, table.length)];
    }

    /**
     * As {@link #lookup(long)}, passing over hosts the context wants avoided: the next acceptable host
     * following the key's slot (a retry's next host for the same key, consistently).
     */
    public Host lookup(long hash, LoadBalancerContext context) {
        if (distinct.length == 0) {
            return null;
        }
        int i = (int) Long.remainderUnsigned(hash, table.length);
        Host first = table[i];
        if (!context.shouldSelectAnotherHost(first)) {
            return first;
        }
        for (int step = 1; step < table.length; step++) {
            Host h = table[(i + step) % table.length];
            if (!context.shouldSelectAnotherHost(h)) {
                return h;
            }
        }
        return first;
    }

    /** Share of the table's slots each host owns, in the order hosts were given. For measurement. */
    public double[] shares() {
        double[] s = new double[distinct.length];
        java.util.Map<Host, Integer> index = new java.util.IdentityHashMap<>();
        for (int i = 0; i < distinct.length; i++) {
            index.put(distinct[i], i);
        }
        for (Host h : table) {
            if (h != null) {
                s[index.get(h)] += 1.0 / table.length;
            }
        }
        return s;
    }

    static boolean isPrime(int v) {
        if (v < 2) {
            return false;
        }
        for (int d = 2; (long) d * d <= v; d++) {
            if (v % d == 0) {
                return false;
            }
        }
        return true;
    }
}
