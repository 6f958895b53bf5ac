package io.outrigger.router;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.outrigger.config.HashPolicy;
import io.outrigger.upstream.lb.HashRing;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Computes a request's consistent-hash key from a route's hash policy, as Envoy does
 * ({@code source/common/http/hash_policy.cc}): each policy that yields a value contributes
 * xxHash64(value); hashes combine as {@code rotl(h, 1) ^ next}; a terminal policy with a value stops.
 */
final class HashKey {
    private HashKey() {
    }

    /**
     * @param out receives the key in {@code out[0]} when one is produced
     * @return whether any policy produced a value
     */
    static boolean compute(List<HashPolicy> policies, HttpRequest request, SocketAddress remote, long[] out) {
        Outcome o = new Outcome();
        compute(policies, request, remote, null, o);
        out[0] = o.key;
        return o.present;
    }

    /**
     * A request's key and the cookie to set, reused by its stream.
     */
    static final class Outcome {
        /** Whether any policy produced a value. */
        boolean present;
        /** The 64-bit key; meaningful when {@link #present}. */
        long key;
        /** A {@code Set-Cookie} value for the response (a generated hash cookie), or {@code null}. */
        String setCookie;
    }

    /**
     * Evaluates the policies. A {@code cookie} policy with a {@code ttl} whose cookie is absent generates one when
     * {@code random} is given: 16 hex digits of {@code random.nextLong()}, hashed like a received value, with the
     * {@code Set-Cookie} for the response put in {@code out.setCookie}.
     *
     * <p>Why a random value, not the chosen host's name (HAProxy's {@code cookie insert}): the host is found by
     * hashing the value on the ring or Maglev table, so when hosts join or leave only the cookies of the hosts that
     * changed move (consistent hashing's 1/n), health ejection and bounded load still apply, and nothing about the
     * upstream hosts reaches the client. Envoy hashes the downstream address instead; a random value also spreads
     * callers behind one NAT address.
     *
     * @param random for generating cookies; {@code null}: never generate (explanations, tests)
     * @param out    receives the key and the cookie to set
     */
    static void compute(List<HashPolicy> policies, HttpRequest request, SocketAddress remote, RandomGenerator random,
                        Outcome out) {
        boolean has = false;
        long hash = 0;
        out.setCookie = null;
        for (int i = 0; i < policies.size(); i++) {
            HashPolicy p = policies.get(i);
            String value = value(p, request, remote);
            if (value == null && random != null && p instanceof HashPolicy.Cookie c && c.ttl() != null) {
                value = HexFormat.of().toHexDigits(random.nextLong());
                out.setCookie = setCookie(c, value);
            }
            if (value == null) {
                continue;
            }
            long h = HashRing.hashKey(value.getBytes(StandardCharsets.UTF_8));
            hash = has ? Long.rotateLeft(hash, 1) ^ h : h;
            has = true;
            if (p.terminal()) {
                break;
            }
        }
        out.key = hash;
        out.present = has;
    }

    /** {@code name=value; Max-Age=ttl; Path=path; HttpOnly[; Secure][; SameSite=…]} (RFC 6265 §4.1). */
    static String setCookie(HashPolicy.Cookie c, String value) {
        DefaultCookie cookie = new DefaultCookie(c.name(), value);
        cookie.setHttpOnly(true);
        if (!c.ttl().isZero()) {
            cookie.setMaxAge(c.ttl().toSeconds());
        }
        if (c.path() != null) {
            cookie.setPath(c.path());
        }
        cookie.setSecure(c.secure());
        if (c.sameSite() != null) {
            cookie.setSameSite(CookieHeaderNames.SameSite.valueOf(c.sameSite()));
        }
        return ServerCookieEncoder.STRICT.encode(cookie);
    }

    /**
     * One hash policy's contribution, for explanations.
     *
     * @param source  the policy as its YAML reads, e.g. {@code header x-user-id}
     * @param value   the value it yielded, or {@code null} (the policy contributes nothing)
     * @param used    whether it was evaluated (false after a terminal policy with a value)
     */
    record Contribution(String source, String value, boolean used) {
    }

    /** What each policy yields for a request, in order, as {@link #compute} evaluates them. */
    static List<Contribution> explain(List<HashPolicy> policies, HttpRequest request, SocketAddress remote) {
        List<Contribution> out = new java.util.ArrayList<>();
        boolean stopped = false;
        for (HashPolicy p : policies) {
            String value = stopped ? null : value(p, request, remote);
            out.add(new Contribution(describe(p), value, !stopped));
            stopped |= value != null && p.terminal();
        }
        return out;
    }

    static String describe(HashPolicy p) {
        String s;
        if (p instanceof HashPolicy.Header h) {
            s = "header " + h.headerName();
        } else if (p instanceof HashPolicy.Cookie c) {
            s = "cookie " + c.name() + (c.ttl() == null ? "" : " (generated when absent, ttl " + c.ttl().toSeconds() + "s)");
        } else if (p instanceof HashPolicy.QueryParameter q) {
            s = "query_parameter " + q.name();
        } else {
            s = "source_ip";
        }
        return p.terminal() ? s + " (terminal)" : s;
    }

    static String value(HashPolicy p, HttpRequest request, SocketAddress remote) {
        if (p instanceof HashPolicy.Header h) {
            // Envoy's pseudo-headers: ":path" is the request target, ":authority" the Host
            return switch (h.headerName()) {
                case ":path" -> request.uri();
                case ":authority" -> request.headers().get(HttpHeaderNames.HOST);
                default -> request.headers().get(h.headerName());
            };
        }
        if (p instanceof HashPolicy.Cookie c) {
            List<String> headers = request.headers().getAll(HttpHeaderNames.COOKIE);
            for (String header : headers) {
                for (Cookie cookie : ServerCookieDecoder.LAX.decodeAll(header)) {
                    if (cookie.name().equals(c.name())) {
                        return cookie.value();
                    }
                }
            }
            return null;
        }
        if (p instanceof HashPolicy.SourceIp) {
            return remote instanceof InetSocketAddress isa && isa.getAddress() != null
                    ? isa.getAddress().getHostAddress() : null;
        }
        if (p instanceof HashPolicy.QueryParameter q) {
            String uri = request.uri();
            if (uri.indexOf('?') < 0) {
                return null;
            }
            List<String> values;
            try {
                values = new QueryStringDecoder(uri).parameters().get(q.name());
            } catch (IllegalArgumentException e) {
                // a broken %-escape (found by RouteMatchFuzzTest; the codecs refuse such targets, the router must
                // not depend on it): this policy yields no key
                return null;
            }
            return values == null || values.isEmpty() ? null : values.get(0);
        }
        return null;
    }
}
