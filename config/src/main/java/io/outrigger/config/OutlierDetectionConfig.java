package io.outrigger.config;

import java.time.Duration;

/**
 * A cluster's passive {@code outlier_detection} (Envoy's names and defaults).
 *
 * @param consecutive5xx               5xx responses (and resets/connect failures) in a row that eject a host; default 5
 * @param consecutiveGatewayFailure    502/503/504 (and resets/connect failures) in a row that eject; default 5
 * @param interval                     how often ejections are reviewed; default 10s
 * @param baseEjectionTime             an ejection lasts this × the host's ejection count; default 30s
 * @param maxEjectionTime              cap on one ejection's length; default 300s
 * @param maxEjectionPercent           at most this share of hosts ejected at once, but always at least one; default 10
 */
public record OutlierDetectionConfig(int consecutive5xx, int consecutiveGatewayFailure, Duration interval,
                                     Duration baseEjectionTime, Duration maxEjectionTime, int maxEjectionPercent) {
}
