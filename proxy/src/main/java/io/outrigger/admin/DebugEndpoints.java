package io.outrigger.admin;

import static io.outrigger.admin.AdminHandler.first;
import static io.outrigger.admin.AdminHandler.text;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.outrigger.router.RouteExplainer;
import io.outrigger.router.RouteExplanation;
import io.outrigger.router.RouteTable;
import io.outrigger.upstream.Cluster;
import java.util.List;
import java.util.Map;

/** The admin's explanation endpoints: {@code GET /debug/route} and {@code GET /debug/hash}. */
final class DebugEndpoints {
    private DebugEndpoints() {
    }

    /** {@code GET /debug/route}: explains where a request would go ({@link RouteExplainer}), as text or JSON. */
    static FullHttpResponse route(AdminHandler.Endpoints endpoints, QueryStringDecoder query) {
        Map<String, RouteTable> tables = endpoints.server().routeTables();
        String listener = first(query, "listener");
        if (listener == null) {
            listener = tables.keySet().iterator().next();
        }
        RouteTable table = tables.get(listener);
        if (table == null) {
            return text(HttpResponseStatus.NOT_FOUND, "unknown listener '" + listener + "' (known: "
                    + String.join(", ", tables.keySet()) + ")\n");
        }
        String method = first(query, "method");
        String path = first(query, "path");
        String authority = first(query, "authority");
        List<String> headers = query.parameters().getOrDefault("header", List.of());
        RouteExplanation e;
        try {
            RouteExplainer.Input in = RouteExplainer.Input.parse((method == null ? "GET" : method) + " "
                    + (path == null ? "/" : path), authority == null ? headers : concat(headers, "host: " + authority), null);
            e = RouteExplainer.explain(table, listener, in, endpoints.clusters()::get);
        } catch (IllegalArgumentException ex) {
            return text(HttpResponseStatus.BAD_REQUEST, ex.getMessage() + "\n");
        }
        if ("json".equals(first(query, "format"))) {
            FullHttpResponse r = text(HttpResponseStatus.OK, e.json() + "\n");
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            return r;
        }
        return text(HttpResponseStatus.OK, e.text());
    }

    /** {@code GET /debug/hash}: a hashing cluster's shares and the disruption of its last host-set changes. */
    static FullHttpResponse hash(AdminHandler.Endpoints endpoints, QueryStringDecoder query) {
        List<String> hashing = new java.util.ArrayList<>();
        for (Cluster c : endpoints.clusters().all()) {
            if (c.hostSet().lbFactory().hashStructure() != null) {
                hashing.add(c.name());
            }
        }
        String name = first(query, "cluster");
        Cluster c = name == null ? null : endpoints.clusters().get(name);
        if (c == null) {
            return text(name == null ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.NOT_FOUND,
                    (name == null ? "missing ?cluster=NAME" : "unknown cluster '" + name + "'") + " (hashing clusters: "
                            + (hashing.isEmpty() ? "none" : String.join(", ", hashing)) + ")\n");
        }
        if (c.hostSet().lbFactory().hashStructure() == null) {
            return text(HttpResponseStatus.BAD_REQUEST, "cluster '" + name + "' uses lb_policy "
                    + c.config().lbPolicy().yamlName() + ", which does not hash (hashing clusters: "
                    + (hashing.isEmpty() ? "none" : String.join(", ", hashing)) + ")\n");
        }
        if ("json".equals(first(query, "format"))) {
            FullHttpResponse r = text(HttpResponseStatus.OK, HashReport.json(c, System.nanoTime()) + "\n");
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            return r;
        }
        return text(HttpResponseStatus.OK, HashReport.text(c, System.nanoTime()));
    }

    private static List<String> concat(List<String> list, String more) {
        List<String> out = new java.util.ArrayList<>(list);
        out.add(more);
        return out;
    }
}
