package io.outrigger.filter.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.config.ConfigError;
import io.outrigger.config.ConfigException;
import io.outrigger.config.ConfigLoader;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fault filter's settings (Envoy's HTTPFault keys) and located errors. */
class FaultFilterFactoryTest {
    private final FaultFilterFactory factory = new FaultFilterFactory(() -> new SplittableRandom(7));

    private FaultConfig parse(String yaml) throws ConfigException {
        return new ConfigLoader(n -> null).read("f.yaml", yaml, "empty", factory::parse);
    }

    private List<String> errors(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        return List.of();
    }

    @Test
    void percentagesAreFractionalPercentsAndAbsentMeansAll() throws Exception {
        FaultConfig c = parse("""
                delay: { fixed_delay: 2s, percentage: { numerator: 25, denominator: TEN_THOUSAND } }
                abort: { grpc_status: 14 }
                max_active_faults: 10
                """);
        assertThat(c.delay()).isEqualTo(new FaultConfig.Delay(Duration.ofSeconds(2), false, 2_500));
        assertThat(c.abort()).isEqualTo(new FaultConfig.Abort(0, 14, false, 1_000_000));
        assertThat(c.maxActiveFaults()).isEqualTo(10);
        assertThat(parse("abort: { header_abort: {}, percentage: { numerator: 50 } }\n").abort())
                .isEqualTo(new FaultConfig.Abort(0, -1, true, 500_000));
    }

    @Test
    void badSettingsAreLocated() {
        assertThat(errors("max_active_faults: 3\n")).containsExactly("f.yaml:1:1: no fault (expected: delay, abort or both)");
        assertThat(errors("""
                delay: { fixed_delay: 1s, header_delay: {} }
                abort: { http_status: 700, percentage: { denominator: PERCENT } }
                """)).containsExactlyInAnyOrder(
                "f.yaml:1:8: delay: a delay needs exactly one of fixed_delay or header_delay: {}",
                "f.yaml:2:23: abort.http_status: '700' (expected: an integer between 200 and 599)",
                "f.yaml:2:55: abort.percentage.denominator: 'PERCENT' (expected: one of HUNDRED, TEN_THOUSAND, MILLION)",
                "f.yaml:2:40: abort.percentage: missing required key 'numerator'");
    }
}
