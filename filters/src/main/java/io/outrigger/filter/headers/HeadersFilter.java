package io.outrigger.filter.headers;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.outrigger.filter.FilterHeadersStatus;
import io.outrigger.filter.StreamFilter;
import java.util.List;
import java.util.Map;

/** Adds, sets and removes request and response headers as its {@link HeadersFilterConfig} says. */
final class HeadersFilter implements StreamFilter {
    private final HeadersFilterConfig config;

    HeadersFilter(HeadersFilterConfig config) {
        this.config = config;
    }

    @Override
    public FilterHeadersStatus decodeHeaders(HttpRequest request, boolean endStream) {
        apply(request.headers(), config.requestHeadersToRemove(), config.requestHeadersToSet(),
                config.requestHeadersToAdd());
        return FilterHeadersStatus.CONTINUE;
    }

    @Override
    public FilterHeadersStatus encodeHeaders(HttpResponse response, boolean endStream) {
        apply(response.headers(), config.responseHeadersToRemove(), config.responseHeadersToSet(),
                config.responseHeadersToAdd());
        return FilterHeadersStatus.CONTINUE;
    }

    // Order as Envoy: remove, then set, then add — so "remove x, add x" yields only the added value.
    private static void apply(HttpHeaders headers, List<String> remove, List<Map.Entry<String, String>> set,
                              List<Map.Entry<String, String>> add) {
        for (int i = 0; i < remove.size(); i++) {
            headers.remove(remove.get(i));
        }
        for (int i = 0; i < set.size(); i++) {
            headers.set(set.get(i).getKey(), set.get(i).getValue());
        }
        for (int i = 0; i < add.size(); i++) {
            headers.add(add.get(i).getKey(), add.get(i).getValue());
        }
    }
}
