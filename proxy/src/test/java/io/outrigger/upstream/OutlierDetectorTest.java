package io.outrigger.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.config.CircuitBreakersConfig;
import io.outrigger.config.ClusterConfig;
import io.outrigger.config.ConnectionPoolConfig;
import io.outrigger.config.EndpointConfig;
import io.outrigger.config.HostAndPort;
import io.outrigger.config.OutlierDetectionConfig;
import io.outrigger.config.RingHashConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Outlier detection with an injected clock and a same-thread "maintenance" executor: no sleeps. */
class OutlierDetectorTest {
    final AtomicLong now = new AtomicLong(0);

    Cluster cluster(int hosts) throws Exception {
        List<Host> hs = new ArrayList<>();
        List<EndpointConfig> eps = new ArrayList<>();
        for (int i = 1; i <= hosts; i++) {
            hs.add(new Host("c", new InetSocketAddress(InetAddress.getByName("10.0.0." + i), 80), 1));
            eps.add(new EndpointConfig(new HostAndPort("10.0.0." + i, 80), 1));
        }
        ClusterConfig cfg = new ClusterConfig("c", eps, ClusterConfig.LbPolicy.RING_HASH, RingHashConfig.DEFAULT,
                Duration.ofSeconds(1), ConnectionPoolConfig.DEFAULT, null, null, null, CircuitBreakersConfig.DEFAULT, null,
                ClusterConfig.ProtocolSelection.USE_CONFIGURED_PROTOCOL, io.outrigger.config.LoadBalancingConfig.DEFAULT);
        return new Cluster(cfg, hs, ClusterResources.of(cfg), null);
    }

    OutlierDetector detector(Cluster c, int consecutive5xx, int maxPercent) {
        OutlierDetectionConfig cfg = new OutlierDetectionConfig(consecutive5xx, 100, Duration.ofSeconds(10),
                Duration.ofSeconds(30), Duration.ofSeconds(300), maxPercent);
        return new OutlierDetector(c, cfg, Runnable::run, now::get);
    }

    static void fail(OutlierDetector d, Host h, int times) {
        for (int i = 0; i < times; i++) {
            d.reportStatus(h, 500);
        }
    }

    @Test
    void consecutive5xxEjectsAndASuccessResetsTheCount() throws Exception {
        Cluster c = cluster(3);
        OutlierDetector d = detector(c, 3, 50);
        Host a = c.hosts().get(0);
        fail(d, a, 2);
        d.reportStatus(a, 200); // breaks the run
        fail(d, a, 2);
        assertThat(a.health().ejected()).isFalse();
        d.reportStatus(a, 503);
        assertThat(a.health().ejected()).isTrue();
        assertThat(c.hostSet().eligible()).doesNotContain(a).hasSize(2);
        assertThat(c.stats().ejectionsEnforced.sum()).isEqualTo(1);
    }

    @Test
    void ejectionLastsBaseTimesCountCappedAndEndsOnReview() throws Exception {
        Cluster c = cluster(3);
        OutlierDetector d = detector(c, 1, 100);
        Host a = c.hosts().get(0);
        d.reportStatus(a, 500);
        now.addAndGet(Duration.ofSeconds(29).toNanos());
        d.review();
        assertThat(a.health().ejected()).isTrue();
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        d.review();
        assertThat(a.health().ejected()).isFalse();
        assertThat(c.hostSet().eligible()).contains(a);
        d.reportStatus(a, 500); // second ejection: 60s
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        d.review();
        assertThat(a.health().ejected()).isTrue();
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        d.review();
        assertThat(a.health().ejected()).isFalse();
        assertThat(a.health().ejectionCount()).isEqualTo(2);
    }

    @Test
    void maxEjectionPercentButAlwaysAtLeastOne() throws Exception {
        Cluster c = cluster(5);
        OutlierDetector d = detector(c, 1, 10); // 10% of 5 hosts rounds to 0: still one may be ejected
        d.reportStatus(c.hosts().get(0), 500);
        d.reportStatus(c.hosts().get(1), 500);
        assertThat(c.hosts().get(0).health().ejected()).isTrue();
        assertThat(c.hosts().get(1).health().ejected()).isFalse();
    }

    @Test
    void belowHalfHealthyIsPanicModeOverAllHosts() throws Exception {
        Cluster c = cluster(3);
        OutlierDetector d = detector(c, 1, 100);
        d.reportStatus(c.hosts().get(0), 500);
        assertThat(c.hostSet().panic()).isFalse();
        d.reportStatus(c.hosts().get(1), 500);
        assertThat(c.hostSet().panic()).isTrue();
        assertThat(c.hostSet().eligible()).hasSize(3);
    }
}
