package io.outrigger.config;

import java.util.List;
import java.util.Locale;

/**
 * One entry of {@code upgrade_configs} (Envoy's {@code UpgradeConfig}), on a listener or a route.
 *
 * @param upgradeType the {@code Upgrade} token, lowercased ({@code websocket}) or {@code CONNECT}
 * @param enabled     whether such requests are passed through; a route's entry overrides the listener's
 */
public record UpgradeConfig(String upgradeType, boolean enabled) {
    public static final String WEBSOCKET = "websocket";
    public static final String CONNECT = "CONNECT";

    public UpgradeConfig {
        upgradeType = upgradeType.equalsIgnoreCase(CONNECT) ? CONNECT : upgradeType.toLowerCase(Locale.ROOT);
    }

    /**
     * Whether an upgrade of {@code type} is allowed: the route's entry for it if any, else the listener's, else
     * the default — WebSocket on (users expect a sidecar to pass it), anything else (CONNECT) off.
     */
    public static boolean allowed(String type, List<UpgradeConfig> route, List<UpgradeConfig> listener) {
        for (UpgradeConfig c : route) {
            if (c.upgradeType.equalsIgnoreCase(type)) {
                return c.enabled;
            }
        }
        for (UpgradeConfig c : listener) {
            if (c.upgradeType.equalsIgnoreCase(type)) {
                return c.enabled;
            }
        }
        return WEBSOCKET.equalsIgnoreCase(type);
    }
}
