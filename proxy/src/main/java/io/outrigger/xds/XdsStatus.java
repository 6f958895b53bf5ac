package io.outrigger.xds;

import io.outrigger.config.ListenerConfig;
import io.outrigger.config.ClusterConfig;
import io.outrigger.config.OutriggerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The xDS client's state as {@code /config_dump} shows it under {@code xds}. */
final class XdsStatus {
    private XdsStatus() {
    }

    /**
     * @return node, stream state, per subscribed type the version in force and each resource's name, version and
     *         source ({@code ads}); the file's own listeners and clusters ({@code static}); what waits; update counts
     */
    static Map<String, Object> of(String node, boolean connected, boolean initialized, XdsResources r,
                                  Map<String, XdsSubscription> subscriptions, OutriggerConfig current, List<String> waiting,
                                  long applied, long rejected) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node", node);
        out.put("connected", connected);
        out.put("initialized", initialized);
        List<Object> types = new ArrayList<>();
        for (String type : List.of(XdsTypes.CDS, XdsTypes.EDS, XdsTypes.LDS, XdsTypes.RDS, XdsTypes.SDS)) {
            XdsSubscription sub = subscriptions.get(type);
            if (sub == null) {
                continue;
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("type", XdsTypes.shortName(type));
            t.put("version_info", r.versions().getOrDefault(type, ""));
            List<Object> each = new ArrayList<>();
            for (String name : new TreeSet<>(r.of(type).keySet())) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("name", name);
                e.put("version_info", sub.versionsView.getOrDefault(name, r.versions().getOrDefault(type, "")));
                e.put("source", "ads");
                each.add(e);
            }
            t.put("resources", each);
            types.add(t);
        }
        out.put("resources", types);
        Map<String, Object> fromFile = new LinkedHashMap<>();
        fromFile.put("listeners", current.listeners().stream().map(ListenerConfig::name)
                .filter(n -> !r.listeners().containsKey(n)).sorted().toList());
        fromFile.put("clusters", current.clusters().stream().map(ClusterConfig::name)
                .filter(n -> !r.clusters().containsKey(n)).sorted().toList());
        out.put("static", fromFile);
        out.put("waiting", waiting);
        out.put("updates_applied", applied);
        out.put("updates_rejected", rejected);
        return out;
    }
}
