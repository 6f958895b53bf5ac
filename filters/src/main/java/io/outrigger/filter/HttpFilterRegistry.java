package io.outrigger.filter;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The HTTP filter types available on the class path, by name. Immutable after construction. */
public final class HttpFilterRegistry {
    private final Map<String, HttpFilterConfigFactory> byName;

    private HttpFilterRegistry(Map<String, HttpFilterConfigFactory> byName) {
        this.byName = byName;
    }

    /**
     * Loads every {@link HttpFilterConfigFactory} registered with {@link ServiceLoader}.
     *
     * @throws IllegalStateException when two factories claim the same name
     */
    public static HttpFilterRegistry load() {
        Map<String, HttpFilterConfigFactory> map = new TreeMap<>();
        for (HttpFilterConfigFactory f : ServiceLoader.load(HttpFilterConfigFactory.class,
                HttpFilterRegistry.class.getClassLoader())) {
            HttpFilterConfigFactory previous = map.putIfAbsent(f.name(), f);
            if (previous != null) {
                throw new IllegalStateException("two HTTP filters named '" + f.name() + "': "
                        + previous.getClass().getName() + " and " + f.getClass().getName());
            }
        }
        return new HttpFilterRegistry(Map.copyOf(map));
    }

    /** Returns the factory registered as {@code name}, or {@code null}. */
    public HttpFilterConfigFactory get(String name) {
        return byName.get(name);
    }

    /** The registered names, sorted (for error messages). */
    public String names() {
        return String.join(", ", new TreeMap<>(byName).keySet());
    }
}
