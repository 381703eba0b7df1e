package io.sbc.runtime.media;

import io.sbc.api.Defaults;
import io.sbc.api.MediaAnchoring;
import io.sbc.api.SipGateway;
import io.sbc.runtime.sip.proxy.MediaPolicy;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A gateway's validated {@code spec.media} as the runtime uses it: the RTPengine instances (a
 * sidecar's ng address from the environment the operator sets, or the listed instances), the
 * gateway's anchoring, and the command timing.
 *
 * @param instances ng addresses ("IP:port") and their weights, in order
 * @param anchoring the gateway's anchoring (a rule's own wins)
 * @param sidecar mode Sidecar: the one instance is this pod's own RTPengine
 * @param rulePolicies the policies of the rules that set their own media (what a dialog's sealed
 *     state may name besides the gateway's)
 */
public record MediaSettings(
    boolean sidecar,
    Map<String, Integer> instances,
    MediaAnchoring anchoring,
    java.util.List<MediaPolicy> rulePolicies,
    long timeoutMillis,
    int retries,
    long pingIntervalMillis) {

  /** The settings of {@code spec.media}; null when the gateway has no media (mode None). */
  public static MediaSettings of(SipGateway.Media m, Map<String, String> env) {
    return of(m, env, java.util.List.of());
  }

  /**
   * The settings of {@code spec.media} and of the routes' rules; null when the gateway has no media
   * (mode None).
   */
  public static MediaSettings of(
      SipGateway.Media m, Map<String, String> env, java.util.List<io.sbc.api.SipRoute> routes) {
    if (m == null || m.mode == null || "None".equals(m.mode)) {
      return null;
    }
    Map<String, Integer> instances = new LinkedHashMap<>();
    if ("Sidecar".equals(m.mode)) {
      String ng = env.get(Defaults.MEDIA_NG_ENV);
      instances.put(ng != null && !ng.isBlank() ? ng.trim() : Defaults.MEDIA_SIDECAR_NG, 1);
    } else {
      for (SipGateway.MediaInstance i : m.instances) {
        instances.put(i.address, i.weight == null ? Defaults.WEIGHT : i.weight);
      }
    }
    java.util.List<MediaPolicy> rules = new java.util.ArrayList<>();
    for (io.sbc.api.SipRoute r : routes) {
      if (r.spec == null || r.spec.rules == null) {
        continue;
      }
      for (io.sbc.api.SipRoute.Rule rule : r.spec.rules) {
        if (rule.media != null) {
          rules.add(MediaPolicy.of(rule.media));
        }
      }
    }
    return new MediaSettings(
        "Sidecar".equals(m.mode),
        java.util.Collections.unmodifiableMap(instances),
        m.anchoring,
        java.util.List.copyOf(rules),
        m.timeoutMillis == null ? Defaults.MEDIA_TIMEOUT_MILLIS : m.timeoutMillis,
        m.retries == null ? Defaults.MEDIA_RETRIES : m.retries,
        1000L
            * (m.pingIntervalSeconds == null
                ? Defaults.MEDIA_PING_INTERVAL_SECONDS
                : m.pingIntervalSeconds));
  }

  /** The gateway's policy, for in-dialog requests. */
  public MediaPolicy gatewayPolicy() {
    return MediaPolicy.of(anchoring);
  }
}
