package io.outrigger.http;

import io.outrigger.filter.ConfiguredFilter;
import io.outrigger.router.RouteTable;
import io.outrigger.stats.Metrics;
import io.outrigger.tracing.Tracing;
import io.outrigger.config.DownstreamConnectionConfig;
import io.outrigger.config.UpgradeConfig;
import io.outrigger.overload.OverloadState;
import java.time.Duration;
import java.util.List;

/**
 * What every stream of a listener shares: immutable, built once per config.
 *
 * @param name        the listener's name
 * @param scheme      {@code http} (cleartext) or {@code https}; sent as {@code x-forwarded-proto}
 * @param routeTable  the listener's routes
 * @param filters     the configured HTTP filters, in order (the router is added after them)
 * @param bufferLimit bytes a stream may hold while a filter has stopped iteration
 * @param accessLog   where finished streams are logged
 * @param metrics     the listener's Prometheus data points
 * @param echoRequestId whether responses carry the request's {@code x-request-id}
 * @param internalAddresses peers trusted as an internal hop
 * @param preserveExternalRequestId keep {@code x-request-id} from non-internal peers too
 * @param tracing       the server's tracing ({@link Tracing#DISABLED} when off)
 * @param upgradeConfigs the listener's {@code upgrade_configs}
 * @param streamIdleTimeout no bytes either way on a stream for this long ends it ({@code ZERO}: never)
 * @param connection  the listener's codecs and connection limits
 * @param overload    the overload manager's current actions
 * @param serverLive  false while the server drains or an operator failed it ({@code /healthcheck/fail}): what the
 *                    {@code health_check} filter answers
 */
public record ListenerContext(String name, String scheme, RouteTable routeTable, List<ConfiguredFilter> filters,
                              long bufferLimit, AccessLog accessLog, Metrics.ListenerMetrics metrics, boolean echoRequestId,
                              InternalAddresses internalAddresses, boolean preserveExternalRequestId, Tracing tracing,
                              List<UpgradeConfig> upgradeConfigs, Duration streamIdleTimeout,
                              DownstreamConnectionConfig connection, OverloadState overload,
                              java.util.function.BooleanSupplier serverLive) {
    /** Envoy's default per-connection buffer limit, 1 MiB. */
    public static final long DEFAULT_BUFFER_LIMIT = 1 << 20;

    public ListenerContext {
        filters = List.copyOf(filters);
        upgradeConfigs = List.copyOf(upgradeConfigs);
    }
}
