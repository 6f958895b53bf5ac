package io.outrigger.filter.headers;

import java.util.List;
import java.util.Map;

/**
 * Settings of the {@code headers} filter.
 *
 * @param requestHeadersToAdd     appended to the request (existing values kept)
 * @param requestHeadersToSet     replace any existing values in the request
 * @param requestHeadersToRemove  removed from the request (lower-case names)
 * @param responseHeadersToAdd    appended to the response
 * @param responseHeadersToSet    replace any existing values in the response
 * @param responseHeadersToRemove removed from the response
 */
public record HeadersFilterConfig(List<Map.Entry<String, String>> requestHeadersToAdd,
                                  List<Map.Entry<String, String>> requestHeadersToSet,
                                  List<String> requestHeadersToRemove,
                                  List<Map.Entry<String, String>> responseHeadersToAdd,
                                  List<Map.Entry<String, String>> responseHeadersToSet,
                                  List<String> responseHeadersToRemove) {
    public HeadersFilterConfig {
        requestHeadersToAdd = List.copyOf(requestHeadersToAdd);
        requestHeadersToSet = List.copyOf(requestHeadersToSet);
        requestHeadersToRemove = List.copyOf(requestHeadersToRemove);
        responseHeadersToAdd = List.copyOf(responseHeadersToAdd);
        responseHeadersToSet = List.copyOf(responseHeadersToSet);
        responseHeadersToRemove = List.copyOf(responseHeadersToRemove);
    }
}
