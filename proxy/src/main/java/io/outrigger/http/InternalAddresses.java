package io.outrigger.http;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.outrigger.config.CidrRange;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * Which downstream peers are an internal, trusted hop (Envoy's {@code internal_address_config}): their
 * {@code x-request-id} is kept and their {@code x-client-trace-id} forces a trace. Immutable.
 */
public final class InternalAddresses {
    private final IpSubnetFilterRule[] rules;

    public InternalAddresses(List<CidrRange> ranges) {
        rules = ranges.stream()
                .map(r -> new IpSubnetFilterRule(r.addressPrefix(), r.prefixLen(), IpFilterRuleType.ACCEPT))
                .toArray(IpSubnetFilterRule[]::new);
    }

    /** @return whether {@code remote} is an IP address inside one of the ranges (anything else: {@code false}) */
    public boolean contains(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress isa) || isa.getAddress() == null) {
            return false;
        }
        for (IpSubnetFilterRule r : rules) {
            if (r.matches(isa)) {
                return true;
            }
        }
        return false;
    }
}
