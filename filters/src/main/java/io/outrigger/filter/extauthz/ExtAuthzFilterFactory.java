package io.outrigger.filter.extauthz;

import io.outrigger.config.ConfigMap;
import io.outrigger.config.ConfigNode;
import io.outrigger.config.StringMatcher;
import io.outrigger.filter.FilterFactory;
import io.outrigger.filter.FilterStats;
import io.outrigger.filter.HttpFilterConfigFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code ext_authz} filter (Envoy's {@code envoy.filters.http.ext_authz}, HTTP service; its proto's field names):
 * <pre>{@code
 * http_filters:
 *   - name: ext_authz
 *     config:
 *       http_service:
 *         server_uri: { uri: "http://127.0.0.1:9191", timeout: 0.25s }
 *         path_prefix: /check
 *         authorization_request:
 *           allowed_headers: { patterns: [ { exact: cookie }, { prefix: x-user- } ] }   # authorization always goes
 *           headers_to_add: [ { key: x-authz-caller, value: outrigger } ]
 *         authorization_response:
 *           allowed_upstream_headers: { patterns: [ { exact: x-user-id } ] }
 *           allowed_client_headers: { patterns: [ { exact: www-authenticate } ] }
 *       failure_mode_allow: false
 *       status_on_error: { code: 403 }
 * }</pre>
 * Per route: {@code typed_per_filter_config: { ext_authz: { disabled: true } }}. Counters {@code ext_authz.ok},
 * {@code .denied}, {@code .error}, {@code .failure_mode_allowed}. {@code with_request_body: { max_request_bytes,
 * allow_partial_message }} sends the body along (gathered first, while the request waits).
 */
public final class ExtAuthzFilterFactory implements HttpFilterConfigFactory {
    private final ExtAuthzConfig.Stats stats = new ExtAuthzConfig.Stats(FilterStats.counter("ext_authz.ok"),
            FilterStats.counter("ext_authz.denied"), FilterStats.counter("ext_authz.error"),
            FilterStats.counter("ext_authz.failure_mode_allowed"));

    @Override
    public String name() {
        return ExtAuthzFilter.NAME;
    }

    @Override
    public FilterFactory createFilterFactory(ConfigNode config, ConfigNode entry) {
        if (config == null) {
            entry.error("missing required key 'config' (expected: http_service: { server_uri: { uri: http://... } })");
            return null;
        }
        ExtAuthzConfig c = parse(config);
        if (c != null) {
            ExtAuthzFilter.warmUp(c.serverUri());
        }
        return c == null ? null : chain -> chain.addDecoderFilter(new ExtAuthzFilter(c));
    }

    ExtAuthzConfig parse(ConfigNode config) {
        ConfigMap m = config.asMap();
        ExtAuthzConfig.BufferSettings withBody = null;
        if (m.has("with_request_body")) {
            ConfigMap b = m.map("with_request_body");
            boolean present = b.required("max_request_bytes").isPresent();
            long max = b.size("max_request_bytes", 8192, 1, 64L << 20);
            boolean partial = b.bool("allow_partial_message", false);
            b.optional("pack_as_bytes").ifPresent(n -> n.warn("ignored: an HTTP service gets the body as it is"));
            b.finish();
            withBody = present ? new ExtAuthzConfig.BufferSettings((int) max, partial) : null;
        }
        if (m.has("grpc_service")) {
            m.optional("grpc_service").get().error("not supported: use http_service");
        }
        boolean failureModeAllow = m.bool("failure_mode_allow", false);
        int statusOnError = 403;
        if (m.has("status_on_error")) {
            ConfigMap s = m.map("status_on_error");
            statusOnError = (int) s.integer("code", 403, 200, 599);
            s.finish();
        }
        ConfigNode service = m.required("http_service").orElse(null);
        m.finish();
        if (service == null) {
            return null;
        }
        ConfigMap hs = service.asMap();
        ConfigMap su = hs.map("server_uri");
        ConfigNode uriNode = su.required("uri").orElse(null);
        Duration timeout = su.duration("timeout", Duration.ofMillis(200), Duration.ofMillis(1));
        su.optional("cluster"); // Envoy asks through a cluster; the sidecar calls the URI itself
        su.finish();
        String pathPrefix = hs.string("path_prefix", "");
        List<StringMatcher> allowedHeaders = List.of();
        Map<String, String> headersToAdd = new LinkedHashMap<>();
        if (hs.has("authorization_request")) {
            ConfigMap ar = hs.map("authorization_request");
            allowedHeaders = patterns(ar, "allowed_headers");
            for (ConfigNode h : ar.list("headers_to_add")) {
                ConfigMap hm = h.asMap();
                String key = hm.requiredString("key").orElse(null);
                String value = hm.string("value", "");
                hm.finish();
                if (key != null) {
                    headersToAdd.put(key.toLowerCase(Locale.ROOT), value);
                }
            }
            ar.finish();
        }
        List<StringMatcher> upstream = List.of();
        List<StringMatcher> client = List.of();
        if (hs.has("authorization_response")) {
            ConfigMap ar = hs.map("authorization_response");
            upstream = patterns(ar, "allowed_upstream_headers");
            client = patterns(ar, "allowed_client_headers");
            ar.finish();
        }
        hs.finish();
        URI uri = null;
        if (uriNode != null) {
            String text = uriNode.asString().orElse("");
            try {
                uri = URI.create(text);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException("not http(s)");
                }
            } catch (IllegalArgumentException e) {
                uriNode.error("'" + text + "' (expected: an http or https URL such as http://127.0.0.1:9191)");
                uri = null;
            }
        }
        if (!pathPrefix.isEmpty() && !pathPrefix.startsWith("/")) {
            pathPrefix = "/" + pathPrefix;
        }
        return uri == null ? null : new ExtAuthzConfig(uri, timeout, pathPrefix, allowedHeaders, headersToAdd, upstream,
                client, failureModeAllow, statusOnError, withBody, stats);
    }

    /** Envoy's {@code ListStringMatcher}: {@code { patterns: [ StringMatcher ] }}; names are matched in lower case. */
    private static List<StringMatcher> patterns(ConfigMap m, String key) {
        if (!m.has(key)) {
            return List.of();
        }
        ConfigMap pm = m.map(key);
        List<StringMatcher> out = new ArrayList<>();
        for (ConfigNode p : pm.list("patterns")) {
            StringMatcher s = StringMatcher.read(p);
            if (s != null) {
                out.add(s);
            }
        }
        pm.finish();
        return out;
    }
}
