package io.outrigger.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.config.ConfigLoader;
import io.outrigger.config.OutriggerConfig;
import org.junit.jupiter.api.Test;

/** A reload's cluster difference: what stays the same object, what is rebuilt, and what a rebuilt cluster inherits. */
class ClusterManagerReloadTest {
    private static OutriggerConfig config(String yWeight, String extra) throws Exception {
        return config(yWeight, extra, "");
    }

    private static OutriggerConfig config(String yWeight, String extra, String ySetting) throws Exception {
        return new ConfigLoader().load("t.yaml", """
                listeners:
                  - name: main
                    address: 127.0.0.1:0
                    virtual_hosts: [ { name: all, domains: ["*"], routes: [ { match: { prefix: / }, route: { cluster: x } } ] } ]
                clusters:
                  - { name: x, endpoints: [ 127.0.0.1:1001 ] }
                  - name: y
                    health_check: { path: /healthz, interval: 1s }%s
                    endpoints: [ 127.0.0.1:2001, { address: 127.0.0.1:2002, weight: %s } ]
                  - { name: both, type: aggregate, clusters: [ x, y ] }
                """.formatted(ySetting, yWeight) + extra);
    }

    @Test
    void unchangedClustersStayTheSameObjectsAndAChangedOneInheritsItsHostsHealth() throws Exception {
        ClusterManager m = ClusterManager.build(config("1", ""));
        Cluster x = m.get("x");
        Cluster y = m.get("y");
        Cluster both = m.get("both");
        Host failing = y.hosts().get(1);
        failing.health().failedActiveHealthCheck = true;
        failing.health().checkedOnce = true;
        y.hosts().get(0).health().checkedOnce = true;

        ClusterManager.Update same = m.prepare(config("1", ""));
        assertThat(same.added()).isEmpty();
        assertThat(same.retired()).isEmpty();
        assertThat(same.next().get("y")).isSameAs(y);
        assertThat(same.next().get("both")).isSameAs(both);

        // only y's endpoints change (a weight): y stays the same cluster and is updated in place; the unchanged host
        // stays the same object, the reweighted one is new and keeps its health
        ClusterManager.Update u = m.prepare(config("3", "  - { name: z, endpoints: [ 127.0.0.1:3001 ] }\n"));
        assertThat(u.next().get("x")).isSameAs(x);
        assertThat(u.next().get("y")).isSameAs(y);
        assertThat(u.next().get("both")).isSameAs(both);
        assertThat(u.added()).extracting(Cluster::name).containsExactly("z");
        assertThat(u.retired()).isEmpty();
        assertThat(u.endpointUpdates()).hasSize(1);
        ClusterManager.EndpointUpdate e = u.endpointUpdates().get(0);
        assertThat(e.hosts().get(0)).isSameAs(y.hosts().get(0));
        assertThat(e.hosts().get(1)).isNotSameAs(failing);
        assertThat(e.hosts().get(1).weight()).isEqualTo(3);
        assertThat(e.hosts().get(1).health().failedActiveHealthCheck()).as("a failing host stays out").isTrue();
        assertThat(y.hosts().get(1)).as("nothing changes before apply").isSameAs(failing);

        int generation = m.generation();
        m.apply(u);
        assertThat(m.generation()).isEqualTo(generation + 1);
        assertThat(m.get("y")).isSameAs(y);
        assertThat(y.hosts()).containsExactlyElementsOf(e.hosts());
        assertThat(y.config().endpoints().get(1).weight()).isEqualTo(3);
        assertThat(y.hostSet().eligible()).containsExactly(y.hosts().get(0));
        assertThat(both.hosts()).as("the aggregate follows its child").contains(e.hosts().get(1));
        assertThat(y.retired()).isFalse();

        // a setting other than the endpoints: y is rebuilt, inheriting its hosts' health
        ClusterManager.Update rebuilt = m.prepare(config("3", "  - { name: z, endpoints: [ 127.0.0.1:3001 ] }\n",
                "\n    connect_timeout: 2s"));
        Cluster y2 = rebuilt.next().get("y");
        assertThat(y2).isNotSameAs(y);
        assertThat(rebuilt.added()).extracting(Cluster::name).containsExactly("y", "both");
        assertThat(rebuilt.retired()).containsExactlyInAnyOrder(y, both);
        assertThat(y2.hosts().get(1).health().failedActiveHealthCheck()).isTrue();
        assertThat(y2.initialHealthChecksDone()).as("its hosts were checked before").isTrue();
        m.apply(rebuilt);
        assertThat(y.retired()).isTrue();
        assertThat(x.retired()).isFalse();
        assertThat(m.prepare(config("3", "")).retired()).extracting(Cluster::name).contains("z");
    }
}
