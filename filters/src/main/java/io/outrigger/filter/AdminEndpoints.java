package io.outrigger.filter;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admin paths that HTTP filters add to the admin server ({@code POST /cache/purge}, say). A filter package registers
 * its endpoint once, when its factory class loads; the admin server answers a path it does not know itself from here.
 * Handlers run on the admin server's event loop and must not block for long.
 */
public final class AdminEndpoints {
    /** One admin path's handler. */
    @FunctionalInterface
    public interface Endpoint {
        /**
         * @param post   whether the request is a POST (changes need one)
         * @param params the query parameters, decoded
         * @return the answer
         */
        Response handle(boolean post, Map<String, List<String>> params);
    }

    /**
     * An admin answer.
     *
     * @param status      the HTTP status code
     * @param body        the body, UTF-8
     * @param contentType its media type
     */
    public record Response(int status, String body, String contentType) {
        /** A plain-text answer. */
        public static Response text(int status, String body) {
            return new Response(status, body, "text/plain; charset=utf-8");
        }
    }

    private static final Map<String, Endpoint> ENDPOINTS = new ConcurrentHashMap<>();
    private static final Map<String, String> HELP = new ConcurrentHashMap<>();

    private AdminEndpoints() {
    }

    /**
     * Adds (or replaces) the handler of {@code path}.
     *
     * @param path an absolute path, {@code /cache/purge}
     * @param help one line for {@code /help}, e.g. {@code POST /cache/purge[?host=H][&path=/P | &prefix=/P]}
     */
    public static void register(String path, String help, Endpoint endpoint) {
        ENDPOINTS.put(path, endpoint);
        HELP.put(path, help);
    }

    /** The handler of {@code path}, if a filter registered one. */
    public static Optional<Endpoint> find(String path) {
        return Optional.ofNullable(ENDPOINTS.get(path));
    }

    /** The help lines of every registered path, sorted by path. */
    public static List<String> help() {
        return List.copyOf(new TreeMap<>(HELP).values());
    }
}
