package io.outrigger.filter.jwt;

import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a provider's keys come from: a JWK set (RFC 7517) given in the config ({@code local_jwks}), or fetched from
 * {@code remote_jwks.http_uri} — off the event loops, on one daemon thread shared by every provider, again every
 * {@code cache_duration}, and after a failed fetch every 5 s until one succeeds; the last good set stays in force.
 */
sealed interface JwksSource {
    /** The keys now, or {@code null} when none were ever fetched. */
    JWKSet current();

    /** A set from the config. */
    record Local(JWKSet set) implements JwksSource {
        public JWKSet current() {
            return set;
        }
    }

    /** A set fetched and refreshed in the background. */
    final class Remote implements JwksSource {
        private static final Logger log = LoggerFactory.getLogger(Remote.class);
        private static final ScheduledExecutorService FETCHER = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "outrigger-jwks-fetch");
            t.setDaemon(true);
            return t;
        });
        private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        static final long RETRY_MS = 5_000;

        private final String provider;
        private final URI uri;
        private final Duration timeout;
        private final Duration cacheDuration;
        private volatile JWKSet current;

        /** One fetcher per distinct source: a reload that keeps a provider keeps its fetcher and keys. */
        private static final java.util.concurrent.ConcurrentHashMap<String, Remote> SHARED =
                new java.util.concurrent.ConcurrentHashMap<>();

        /** The fetcher for this source, started on first use. */
        static Remote of(String provider, URI uri, Duration timeout, Duration cacheDuration) {
            String key = provider + "|" + uri + "|" + timeout + "|" + cacheDuration;
            return SHARED.computeIfAbsent(key, k -> new Remote(provider, uri, timeout, cacheDuration).start());
        }

        private Remote(String provider, URI uri, Duration timeout, Duration cacheDuration) {
            this.provider = provider;
            this.uri = uri;
            this.timeout = timeout;
            this.cacheDuration = cacheDuration;
        }

        private Remote start() {
            FETCHER.execute(this::fetch);
            return this;
        }

        @Override
        public JWKSet current() {
            return current;
        }

        private void fetch() {
            boolean ok = fetch0();
            FETCHER.schedule(this::fetch, ok ? cacheDuration.toMillis() : RETRY_MS, TimeUnit.MILLISECONDS);
        }

        private boolean fetch0() {
            try {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IOException("HTTP " + r.statusCode());
                }
                current = JWKSet.parse(r.body());
                return true;
            } catch (IOException | ParseException e) {
                log.warn("jwt_authn provider '{}': JWKS fetch from {} failed ({}); {}", provider, uri, e.toString(),
                        current == null ? "no keys yet" : "keeping the previous keys");
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
