package io.outrigger.overload;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.config.OverloadManagerConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class OverloadManagerTest {
    @Test
    void actionsSwitchOnAtTheirThresholdsOfTheMostPressedResourceAndOffBelow() {
        double[] heap = {0.5};
        double[] direct = {0.1};
        OverloadManager m = new OverloadManager(new OverloadManagerConfig(Duration.ofMillis(250), 0.8, 0.9, 0.95),
                () -> heap[0], () -> direct[0]);
        m.refresh();
        assertThat(m.disableHttpKeepalive()).isFalse();
        assertThat(m.stopAcceptingRequests()).isFalse();
        direct[0] = 0.85; // direct memory is the pressed one
        m.refresh();
        assertThat(m.pressure()).isEqualTo(0.85);
        assertThat(m.disableHttpKeepalive()).isTrue();
        assertThat(m.stopAcceptingRequests()).isFalse();
        heap[0] = 0.97;
        m.refresh();
        assertThat(m.stopAcceptingRequests()).isTrue();
        assertThat(m.stopAcceptingConnections()).isTrue();
        heap[0] = 0.2;
        direct[0] = 0.2;
        m.refresh();
        assertThat(m.disableHttpKeepalive() || m.stopAcceptingRequests() || m.stopAcceptingConnections()).isFalse();
    }

    @Test
    void aZeroThresholdTurnsTheActionOff() {
        OverloadManager m = new OverloadManager(new OverloadManagerConfig(Duration.ofMillis(250), 0, 0.9, 0),
                () -> 1.0, () -> 0.0);
        m.refresh();
        assertThat(m.disableHttpKeepalive()).isFalse();
        assertThat(m.stopAcceptingRequests()).isTrue();
        assertThat(m.stopAcceptingConnections()).isFalse();
    }

    @Test
    void theJvmReadingsAreFractions() {
        try (OverloadManager m = new OverloadManager(OverloadManagerConfig.DEFAULT)) {
            System.gc(); // a collection reports the heap in use after it
            m.refresh();
            assertThat(m.pressure()).isBetween(0.0, 1.0);
            assertThat(OverloadManager.directMemoryPressure()).isBetween(0.0, 1.0);
        }
    }
}
