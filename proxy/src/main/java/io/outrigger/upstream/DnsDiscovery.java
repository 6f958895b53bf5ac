package io.outrigger.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.outrigger.config.DnsConfig;
import io.outrigger.config.EndpointConfig;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@code strict_dns} or {@code logical_dns} cluster's hosts in step with DNS (Envoy's semantics): every
 * {@code dns_refresh_rate} each endpoint name is resolved with Netty's non-blocking resolver (never on a worker: on the
 * maintenance event loop); {@code strict_dns} makes every address a host, {@code logical_dns} the first one. A host
 * whose address stays keeps its object (health, pools, connections, its place on a ring); a changed set goes through
 * {@link Cluster#updateHosts}, the path health changes take. A name that fails to resolve keeps its last good addresses
 * and is counted ({@code update_failure}); one that never resolved leaves its hosts out (503 UH), it does not stop the
 * start. With {@code respect_dns_ttl} the resolver's cache keeps each answer for its TTL and is asked every second, so a
 * name is queried again when its TTL runs out. Confined to the maintenance event loop.
 */
final class DnsDiscovery {
    private static final Logger log = LoggerFactory.getLogger(DnsDiscovery.class);
    private static final long TTL_POLL_MS = 1_000;

    private final Cluster cluster;
    private final DnsConfig dns;
    private final EventLoop loop;
    private final DnsNameResolver resolver;
    private final List<EndpointConfig> endpoints;
    /** Per endpoint, the addresses of its last good resolution (empty until one succeeds). */
    private final List<List<InetAddress>> lastGood = new ArrayList<>();
    private final LongAdder inFlight; // the cluster's requests in flight, shared by its hosts
    private int pending;
    private boolean roundFailed;

    DnsDiscovery(Cluster cluster, EventLoop loop, Class<? extends DatagramChannel> datagramChannel) {
        this.cluster = cluster;
        this.dns = cluster.config().dns();
        this.loop = loop;
        this.endpoints = cluster.config().endpoints();
        this.inFlight = cluster.hosts().isEmpty() ? new LongAdder() : cluster.hosts().get(0).clusterInFlight();
        for (int i = 0; i < endpoints.size(); i++) {
            lastGood.add(List.of());
        }
        DnsNameResolverBuilder b = new DnsNameResolverBuilder(loop).datagramChannelType(datagramChannel)
                .resolvedAddressTypes(switch (dns.lookupFamily()) {
                    case V4_ONLY -> ResolvedAddressTypes.IPV4_ONLY;
                    case V6_ONLY -> ResolvedAddressTypes.IPV6_ONLY;
                    case V4_PREFERRED -> ResolvedAddressTypes.IPV4_PREFERRED;
                    case AUTO, ALL -> ResolvedAddressTypes.IPV6_PREFERRED;
                })
                .queryTimeoutMillis(Math.min(5_000, Math.max(500, dns.refreshRate().toMillis())))
                .resolveCache(dns.respectDnsTtl() ? new DefaultDnsCache() : NoopDnsCache.INSTANCE);
        if (!dns.resolvers().isEmpty()) {
            List<InetSocketAddress> servers = new ArrayList<>();
            for (var r : dns.resolvers()) {
                servers.add(new InetSocketAddress(r.host(), r.port()));
            }
            b.nameServerProvider(new SequentialDnsServerAddressStreamProvider(servers));
        } else {
            b.nameServerProvider(DnsServerAddressStreamProviders.platformDefault());
        }
        this.resolver = b.build();
    }

    /** Resolves now, then every refresh. */
    void start() {
        loop.execute(this::round);
    }

    private void round() {
        if (cluster.retired()) {
            resolver.close();
            return;
        }
        cluster.stats().dnsUpdateAttempt.increment();
        pending = endpoints.size();
        roundFailed = false;
        for (int i = 0; i < endpoints.size(); i++) {
            int index = i;
            String name = endpoints.get(i).address().host();
            if (NetUtil.isValidIpV4Address(name) || NetUtil.isValidIpV6Address(name)) {
                lastGood.set(index, List.of(NetUtil.createInetAddressFromIpAddressString(name)));
                done();
                continue;
            }
            Future<List<InetAddress>> f = resolver.resolveAll(name);
            f.addListener(r -> {
                if (r.isSuccess()) {
                    @SuppressWarnings("unchecked")
                    List<InetAddress> addresses = (List<InetAddress>) r.getNow();
                    lastGood.set(index, family(addresses));
                } else {
                    roundFailed = true;
                    log.warn("cluster '{}': {} did not resolve ({}); {}", cluster.name(), name, r.cause().getMessage(),
                            lastGood.get(index).isEmpty() ? "no hosts for it (503 UH) until it does" : "its last addresses stay");
                }
                done();
            });
        }
    }

    private void done() {
        if (--pending > 0) {
            return;
        }
        if (roundFailed) {
            cluster.stats().dnsUpdateFailure.increment();
        } else {
            cluster.stats().dnsUpdateSuccess.increment();
        }
        apply();
        cluster.markDiscovered();
        long next = dns.respectDnsTtl() ? TTL_POLL_MS : dns.refreshRate().toMillis();
        loop.schedule(this::round, next, TimeUnit.MILLISECONDS);
    }

    // Envoy's dns_lookup_family on what the resolver returned (IPv6-preferred order for AUTO and ALL)
    private List<InetAddress> family(List<InetAddress> all) {
        List<InetAddress> v4 = all.stream().filter(a -> a instanceof Inet4Address).toList();
        List<InetAddress> v6 = all.stream().filter(a -> a instanceof Inet6Address).toList();
        return switch (dns.lookupFamily()) {
            case AUTO -> v6.isEmpty() ? v4 : v6;
            case V4_PREFERRED -> v4.isEmpty() ? v6 : v4;
            case V4_ONLY -> v4;
            case V6_ONLY -> v6;
            case ALL -> {
                List<InetAddress> both = new ArrayList<>(v4);
                both.addAll(v6);
                yield both;
            }
        };
    }

    private void apply() {
        Map<String, Host> current = new HashMap<>();
        for (Host h : cluster.hosts()) {
            current.put(key(h.address(), h.weight(), h.priority()), h);
        }
        List<Host> next = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < endpoints.size(); i++) {
            EndpointConfig e = endpoints.get(i);
            List<InetAddress> addresses = lastGood.get(i);
            if (dns.type() == DnsConfig.Type.LOGICAL_DNS && addresses.size() > 1) {
                addresses = addresses.subList(0, 1);
            }
            for (InetAddress a : addresses) {
                InetSocketAddress sa = new InetSocketAddress(a, e.address().port());
                String k = key(sa, e.weight(), e.priority());
                if (!seen.add(k)) {
                    continue; // two names with one address: one host
                }
                Host h = current.get(k);
                next.add(h != null ? h : new Host(cluster.name(), e.address().host(), sa, e.weight(), e.priority(), inFlight));
            }
        }
        if (next.isEmpty()) {
            cluster.stats().dnsUpdateEmpty.increment();
        }
        List<Host> before = cluster.hosts();
        if (next.size() == before.size() && before.containsAll(next)) {
            return; // nothing changed: no rebuild
        }
        StringBuilder why = new StringBuilder("dns:");
        for (Host h : next) {
            if (!before.contains(h)) {
                why.append(" +").append(h.addressString());
            }
        }
        for (Host h : before) {
            if (!next.contains(h)) {
                why.append(" -").append(h.addressString());
            }
        }
        cluster.updateHosts(next, why.toString());
    }

    private static String key(InetSocketAddress a, int weight, int priority) {
        return a.getAddress().getHostAddress() + '|' + a.getPort() + '|' + weight + '|' + priority;
    }
}
