package io.outrigger.stats;

import io.outrigger.tracing.Tracing;
import io.outrigger.upstream.Cluster;
import io.outrigger.upstream.ClusterManager;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The proxy's Prometheus metrics (Prometheus Java client), named after Envoy's statistics with an
 * {@code outrigger_} prefix. Label values are resolved into data points once per listener and cluster, so
 * recording on the request path is a lock-free add; cluster counters kept elsewhere are read at scrape time.
 */
public final class Metrics {
    /** Latency buckets in seconds: 0.5 ms to 10 s. */
    static final double[] LATENCY_BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    static final List<String> PROTOCOLS = List.of("HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/3");

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Map<String, Activity> listenerActivity = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final Map<String, Activity> clusterActivity = new java.util.concurrent.ConcurrentSkipListMap<>();
    // No exemplars: they reach only OpenMetrics output, and /stats/prometheus writes the text format; sampling them
    // cost work on every observation (client_java 1.9's ExemplarSampler: a CAS, and for a sampled one a task on its
    // scheduler thread; seen in request-path profiles)
    private final Counter downstreamCx = Counter.builder().name("outrigger_downstream_cx_total")
            .help("Downstream connections accepted").labelNames("listener").withoutExemplars().register(registry);
    private final Gauge downstreamCxActive = Gauge.builder().name("outrigger_downstream_cx_active")
            .help("Downstream connections open").labelNames("listener").withoutExemplars().register(registry);
    private final Counter downstreamRq = Counter.builder().name("outrigger_downstream_rq_total")
            .help("Downstream requests finished, by protocol and response code class (0xx: no response)")
            .labelNames("listener", "protocol", "response_code_class").withoutExemplars().register(registry);
    private final Histogram downstreamRqTime = Histogram.builder().name("outrigger_downstream_rq_time_seconds")
            .help("Downstream request duration, first byte in to last byte out").labelNames("listener")
            .classicOnly().classicUpperBounds(LATENCY_BUCKETS).withoutExemplars().register(registry);
    private final Counter downstreamRqGrpc = Counter.builder().name("outrigger_downstream_rq_grpc_total")
            .help("Downstream gRPC calls by grpc-status (0-16; anything else counts as 'other')")
            .labelNames("listener", "grpc_status").withoutExemplars().register(registry);
    private final Counter upstreamRq = Counter.builder().name("outrigger_upstream_rq_total")
            .help("Upstream attempts answered, by response code class").labelNames("cluster", "response_code_class")
            .withoutExemplars().register(registry);
    private final Histogram upstreamRqTime = Histogram.builder().name("outrigger_upstream_rq_time_seconds")
            .help("Upstream attempt duration until response headers").labelNames("cluster")
            .classicOnly().classicUpperBounds(LATENCY_BUCKETS).withoutExemplars().register(registry);

    public Metrics() {
        registerFilterStats();
    }

    /** The data points of one listener. */
    public final class ListenerMetrics {
        private final String listener;
        private final CounterDataPoint cx;
        private final io.prometheus.metrics.core.datapoints.GaugeDataPoint cxActive;
        private final CounterDataPoint[][] rq = new CounterDataPoint[PROTOCOLS.size()][6];
        private final DistributionDataPoint time;
        private final Activity activity = new Activity();
        private final java.util.concurrent.atomic.LongAdder streamIdleTimeouts = new java.util.concurrent.atomic.LongAdder();
        private final DownstreamStats downstream;

        /** A stream was ended by the stream idle timeout (flag SI). */
        public void onStreamIdleTimeout() {
            streamIdleTimeouts.increment();
        }

        /** The listener's downstream event counters and rate-limited error log. */
        public DownstreamStats downstream() {
            return downstream;
        }

        ListenerMetrics(String listener) {
            this.downstream = new DownstreamStats(listener, System::nanoTime);
            this.listener = listener;
            listenerActivity.put(listener, activity);
            cx = downstreamCx.labelValues(listener);
            cxActive = downstreamCxActive.labelValues(listener);
            time = downstreamRqTime.labelValues(listener);
        }

        public void onConnectionOpened() {
            cx.inc();
            cxActive.inc();
        }

        public void onConnectionClosed() {
            cxActive.dec();
        }

        private final CounterDataPoint[] grpc = new CounterDataPoint[18];

        /**
         * A gRPC call ended with this {@code grpc-status} (from the response or a local reply).
         *
         * @param status the header's value as received; only 0-16 get a label of their own (bounded cardinality)
         */
        public void onGrpcStatus(String status) {
            int code = -1;
            if (status != null && status.length() <= 2) {
                try {
                    code = Integer.parseInt(status);
                } catch (NumberFormatException e) {
                    code = -1;
                }
            }
            int i = code >= 0 && code <= 16 ? code : 17;
            CounterDataPoint d = grpc[i];
            if (d == null) { // resolved once per label value (benign race: the same data point)
                d = downstreamRqGrpc.labelValues(listener, i == 17 ? "other" : Integer.toString(i));
                grpc[i] = d;
            }
            d.inc();
        }

        /** The index of {@code protocol} in {@link #PROTOCOLS} (0, {@code HTTP/1.0}, for any other). */
        private static int protocolIndex(String protocol) {
            return switch (protocol) {
                case "HTTP/1.1" -> 1;
                case "HTTP/2" -> 2;
                case "HTTP/3" -> 3;
                default -> 0;
            };
        }

        /**
         * @param protocol     {@code HTTP/1.0}, {@code HTTP/1.1}, {@code HTTP/2} or {@code HTTP/3}
         * @param responseCode 0 when no response was sent
         */
        public void onStream(String protocol, int responseCode, long durationNanos) {
            int p = protocolIndex(protocol);
            int c = Math.min(5, Math.max(0, responseCode / 100));
            CounterDataPoint d = rq[p][c];
            if (d == null) { // first of its kind on this listener: resolve once (benign race: same data point)
                d = downstreamRq.labelValues(listener, PROTOCOLS.get(p), c + "xx");
                rq[p][c] = d;
            }
            d.inc();
            time.observe(durationNanos / 1e9);
            activity.record(responseCode >= 500 || responseCode == 0, durationNanos);
        }
    }

    /** The data points of one cluster's upstream attempts. */
    public final class UpstreamMetrics {
        private final CounterDataPoint[] rq = new CounterDataPoint[6];
        private final DistributionDataPoint time;
        private final Activity activity = new Activity();
        private final java.util.concurrent.atomic.LongAdder streamIdleTimeouts = new java.util.concurrent.atomic.LongAdder();

        /** A stream was ended by the stream idle timeout (flag SI). */
        public void onStreamIdleTimeout() {
            streamIdleTimeouts.increment();
        }

        UpstreamMetrics(String cluster) {
            clusterActivity.put(cluster, activity);
            for (int c = 1; c < 6; c++) {
                rq[c] = upstreamRq.labelValues(cluster, c + "xx");
            }
            time = upstreamRqTime.labelValues(cluster);
        }

        public void onResponse(int responseCode, long durationNanos) {
            rq[Math.min(5, Math.max(1, responseCode / 100))].inc();
            time.observe(durationNanos / 1e9);
            activity.record(responseCode >= 500, durationNanos);
        }
    }

    /** Live numbers per listener (downstream requests; errors: 5xx or no response), by name. */
    public Map<String, Activity> listenerActivity() {
        return listenerActivity;
    }

    /** Live numbers per cluster (upstream attempts answered; errors: 5xx), by name. */
    public Map<String, Activity> clusterActivity() {
        return clusterActivity;
    }

    private final org.HdrHistogram.Histogram tickScratch = Activity.newScratch(); // tick()'s thread only

    /** Folds the last second into every {@link Activity}'s window; called once a second by one thread. */
    public void tick() {
        long now = System.nanoTime();
        for (Activity a : listenerActivity.values()) {
            a.tick(now, tickScratch);
        }
        for (Activity a : clusterActivity.values()) {
            a.tick(now, tickScratch);
        }
    }

    public ListenerMetrics listener(String name) {
        ListenerMetrics m = new ListenerMetrics(name);
        listeners.put(name, m);
        return m;
    }

    private final Map<String, ListenerMetrics> listeners = new java.util.concurrent.ConcurrentSkipListMap<>();

    /** Per-listener counters, Envoy's HTTP connection manager names: {@code http.LISTENER.STAT}. */
    public Map<String, Long> listenerCounters() {
        Map<String, Long> m = new java.util.TreeMap<>();
        listeners.forEach((name, l) -> {
            m.put("http." + name + ".downstream_rq_idle_timeout", l.streamIdleTimeouts.sum());
            l.downstream.putInto(m);
        });
        return m;
    }

    {
        CounterWithCallback.builder().name("outrigger_downstream_events_total")
                .help("Downstream connection and protocol events (Envoy's http.LISTENER.* statistics), by event")
                .labelNames("listener", "event")
                .callback(cb -> listeners.forEach((name, l) -> {
                    for (DownstreamEvent e : DownstreamEvent.values()) {
                        cb.call(l.downstream.get(e), name, e.statName());
                    }
                })).register(registry);
    }

    /** Binds each cluster's upstream data points and registers its counters and gauges, read at scrape time. */
    /** Binds the Prometheus data points of a cluster a reload added. */
    public void bindCluster(Cluster c) {
        c.stats().bind(new UpstreamMetrics(c.name()));
    }

    public void registerClusters(ClusterManager clusters) {
        for (Cluster c : clusters.all()) {
            c.stats().bind(new UpstreamMetrics(c.name()));
        }
        Cluster any = clusters.all().iterator().hasNext() ? clusters.all().iterator().next() : null;
        if (any != null) {
            for (String stat : any.stats().snapshot().keySet()) {
                String name = "outrigger_cluster_" + stat.replace('.', '_');
                CounterWithCallback.builder().name(name).help("Envoy's cluster." + stat).labelNames("cluster")
                        .callback(cb -> {
                            for (Cluster c : clusters.all()) {
                                cb.call(c.stats().snapshot().get(stat), c.name());
                            }
                        }).register(registry);
            }
        }
        Map<String, java.util.function.ToDoubleFunction<Cluster>> gauges = Map.of(
                "outrigger_cluster_upstream_cx_active", c -> c.resources().connections(),
                "outrigger_cluster_upstream_cx_idle", c -> c.resources().idleConnections(),
                "outrigger_cluster_upstream_rq_active", c -> c.resources().activeRequests(),
                "outrigger_cluster_upstream_rq_pending_active", c -> c.resources().pendingRequests(),
                "outrigger_cluster_membership_healthy", c -> c.hosts().stream().filter(h -> h.health().healthy()).count(),
                "outrigger_cluster_membership_total", c -> c.hosts().size());
        gauges.forEach((name, value) -> GaugeWithCallback.builder().name(name).help(name.substring("outrigger_".length()))
                .labelNames("cluster").callback(cb -> {
                    for (Cluster c : clusters.all()) {
                        cb.call(value.applyAsDouble(c), c.name());
                    }
                }).register(registry));
    }

    /** Registers the span export counters (read at scrape time); all zero when tracing is off. */
    /** HTTP filters' counters ({@link io.outrigger.filter.FilterStats}) as one labelled family. */
    private void registerFilterStats() {
        CounterWithCallback.builder().name("outrigger_http_filter_events_total")
                .help("HTTP filters' counters by their Envoy-style names (e.g. http_local_rate_limiter.http_local_rate_limit.rate_limited)")
                .labelNames("stat")
                .callback(cb -> io.outrigger.filter.FilterStats.snapshot().forEach((k, v) -> cb.call(v, k)))
                .register(registry);
    }

    /** The config reload counters and the version in force. */
    public void registerReloads(java.util.function.LongSupplier applied, java.util.function.LongSupplier failed,
                                java.util.function.LongSupplier version) {
        CounterWithCallback.builder().name("outrigger_server_config_reload_total")
                .help("Config reloads applied (Envoy's server.config_reload)")
                .callback(cb -> cb.call(applied.getAsLong())).register(registry);
        CounterWithCallback.builder().name("outrigger_server_config_reload_failed_total")
                .help("Config reloads rejected; the running config stayed")
                .callback(cb -> cb.call(failed.getAsLong())).register(registry);
        GaugeWithCallback.builder().name("outrigger_server_config_version")
                .help("The config version in force: 1 at start, +1 per applied reload")
                .callback(cb -> cb.call(version.getAsLong())).register(registry);
    }

    /**
     * The xDS client's state: Envoy's {@code control_plane.connected_state} and the update counters
     * ({@code update_success}, {@code update_rejected}) over all resource types, and ADS streams opened.
     */
    public void registerXds(java.util.function.BooleanSupplier connected, java.util.function.LongSupplier applied,
                            java.util.function.LongSupplier rejected, java.util.function.LongSupplier streams) {
        GaugeWithCallback.builder().name("outrigger_control_plane_connected_state")
                .help("1 while the ADS stream to the control plane is up (Envoy's control_plane.connected_state)")
                .callback(cb -> cb.call(connected.getAsBoolean() ? 1 : 0)).register(registry);
        CounterWithCallback.builder().name("outrigger_xds_update_success_total")
                .help("xDS responses applied and ACKed")
                .callback(cb -> cb.call(applied.getAsLong())).register(registry);
        CounterWithCallback.builder().name("outrigger_xds_update_rejected_total")
                .help("xDS responses NACKed; the resources in force stayed")
                .callback(cb -> cb.call(rejected.getAsLong())).register(registry);
        CounterWithCallback.builder().name("outrigger_xds_streams_total")
                .help("ADS streams opened (the first and every reconnect)")
                .callback(cb -> cb.call(streams.getAsLong())).register(registry);
    }

    public void registerTracing(Tracing tracing) {
        CounterWithCallback.builder().name("outrigger_tracing_spans_sent_total")
                .help("Sampled spans delivered to the tracing backend")
                .callback(cb -> cb.call(tracing.spansSent())).register(registry);
        CounterWithCallback.builder().name("outrigger_tracing_spans_failed_total")
                .help("Sampled spans whose export failed (backend unreachable, slow or refusing)")
                .callback(cb -> cb.call(tracing.spansFailed())).register(registry);
        CounterWithCallback.builder().name("outrigger_tracing_spans_dropped_total")
                .help("Sampled spans dropped because the export queue was full")
                .callback(cb -> cb.call(tracing.spansDropped())).register(registry);
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape(),
                    io.prometheus.metrics.config.EscapingScheme.ALLOW_UTF8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
