package io.outrigger.upstream.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.upstream.Host;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaglevTableTest {
    @Test
    void equalHostsGetNearlyEqualSharesAndWeightsCount() throws Exception {
        double[] equal = MaglevTable.build(HashRingTest.hosts(3), MaglevTable.DEFAULT_TABLE_SIZE).shares();
        for (double s : equal) {
            assertThat(s).isBetween(0.333, 0.334); // Maglev fills the table round-robin: near-perfect balance
        }
        List<Host> weighted = List.of(HashRingTest.host("10.0.0.1", 80, 1), HashRingTest.host("10.0.0.2", 80, 3));
        double[] w = MaglevTable.build(weighted, MaglevTable.DEFAULT_TABLE_SIZE).shares();
        assertThat(w[0]).isBetween(0.249, 0.251);
        assertThat(w[1]).isBetween(0.749, 0.751);
    }

    @Test
    void addingAHostMovesAboutItsShare() throws Exception {
        List<Host> three = HashRingTest.hosts(3);
        List<Host> four = new ArrayList<>(three);
        Host added = HashRingTest.host("10.0.0.4", 8080, 1);
        four.add(added);
        MaglevTable before = MaglevTable.build(three, MaglevTable.DEFAULT_TABLE_SIZE);
        MaglevTable after = MaglevTable.build(four, MaglevTable.DEFAULT_TABLE_SIZE);
        int moved = 0;
        int toNew = 0;
        for (int i = 0; i < 10_000; i++) {
            long k = HashRingTest.key("user-" + i);
            if (before.lookup(k) != after.lookup(k)) {
                moved++;
                toNew += after.lookup(k) == added ? 1 : 0;
            }
        }
        // Maglev trades a little disruption for balance (paper §3.4): most moves go to the new host
        assertThat(moved).isBetween(2_000, 3_500);
        assertThat(toNew).isGreaterThan(moved * 8 / 10);
    }

    @Test
    void retriesWalkToTheNextDistinctHostConsistently() throws Exception {
        List<Host> hosts = HashRingTest.hosts(3);
        MaglevTable t = MaglevTable.build(hosts, 65_537);
        long k = HashRingTest.key("alice");
        Host first = t.lookup(k);
        LoadBalancerContext avoidFirst = new LoadBalancerContext() {
            @Override
            public boolean hasHashKey() {
                return true;
            }

            @Override
            public long hashKey() {
                return k;
            }

            @Override
            public boolean shouldSelectAnotherHost(Host h) {
                return h == first;
            }
        };
        Host second = t.lookup(k, avoidFirst);
        assertThat(second).isNotSameAs(first).isSameAs(t.lookup(k, avoidFirst));
        Map<Host, Integer> counts = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            counts.merge(t.lookup(HashRingTest.key("user-" + i)), 1, Integer::sum);
        }
        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(280, 390));
    }

    @Test
    void tableSizeMustBeAPrime() throws Exception {
        assertThatThrownBy(() -> MaglevTable.build(HashRingTest.hosts(3), 65_536)).hasMessageContaining("prime");
        assertThat(MaglevTable.build(List.of(), 7).lookup(1)).isNull();
    }
}
