package io.outrigger.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Envoy's priority-load and panic examples (its "Priority levels" and "Panic threshold" pages), 100 hosts a level. */
class PriorityLoadTest {
    private static PriorityLoad of(String healthyPercents) {
        String[] parts = healthyPercents.split(" ");
        int[] healthy = new int[parts.length];
        int[] total = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            healthy[i] = Integer.parseInt(parts[i]);
            total[i] = 100;
        }
        return PriorityLoad.compute(healthy, total, 140);
    }

    private static String show(PriorityLoad p) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < p.loads().length; i++) {
            b.append(i == 0 ? "" : " ").append(p.loads()[i]).append(p.panic()[i] ? "P" : "");
        }
        return b.toString();
    }

    @ParameterizedTest(name = "healthy {0} -> load {1}")
    @CsvSource({
            "100 100, 100 0",
            "72 100, 100 0",
            "71 100, 99 1",
            "50 100, 70 30",
            "25 100, 35 65",
            "0 100, 0 100",
            "20 20 100, 28 28 44",
            "20 20, 50P 50P",       // normalized total health 56 < 100: both under 50 % are in panic
            "60 0, 100 0P",         // normalized 84: level 1 has no traffic, its panic flag does not matter
            "40, 100P",             // one level under 50 %: all its hosts (the single-level rule before levels)
            "60, 100",
            "0 0, 100P 0",          // nothing healthy anywhere: level 0, in panic
    })
    void envoysExamples(String healthy, String expected) {
        assertThat(show(of(healthy))).isEqualTo(expected);
    }
}
