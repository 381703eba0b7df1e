package io.sbc.api;

import java.util.List;

/**
 * One replica's share of a gateway-wide call limit ({@code spec.callLimits}), as the operator
 * writes it into the gateway's ConfigMap under {@value #KEY} and the runtime reads it: each of
 * {@code replicas} replicas admits ceil(limit / replicas), so the replicas together admit at least
 * the limit and at most replicas - 1 more (a share is never 0). Text form: {@code maxCalls=N
 * maxCallsPerSecond=M replicas=R}, a field absent when the gateway has no such limit.
 *
 * @param maxCalls calls in progress at once on one replica, or null
 * @param maxCallsPerSecond new calls per second on one replica, or null
 * @param replicas the replicas the limit was divided among
 */
public record CallLimitShare(Integer maxCalls, Integer maxCallsPerSecond, int replicas) {
  /** The ConfigMap key beside {@link ConfigMapPayload#KEY}. */
  public static final String KEY = "call-limit-share";

  /** The share of {@code limits} for each of {@code replicas} replicas (at least 1 replica). */
  public static CallLimitShare of(SipGateway.GatewayCallLimits limits, int replicas) {
    int n = Math.max(1, replicas);
    return new CallLimitShare(divide(limits.maxCalls, n), divide(limits.maxCallsPerSecond, n), n);
  }

  private static Integer divide(Integer limit, int replicas) {
    return limit == null ? null : (int) ((limit + (long) replicas - 1) / replicas);
  }

  public String toText() {
    StringBuilder b = new StringBuilder();
    if (maxCalls != null) {
      b.append("maxCalls=").append(maxCalls).append(' ');
    }
    if (maxCallsPerSecond != null) {
      b.append("maxCallsPerSecond=").append(maxCallsPerSecond).append(' ');
    }
    return b.append("replicas=").append(replicas).toString();
  }

  /**
   * Reads the text form.
   *
   * @throws ConfigException naming {@code source} and the key when the text is not that form
   */
  public static CallLimitShare parse(String source, String text) throws ConfigException {
    Integer calls = null;
    Integer perSecond = null;
    Integer replicas = null;
    for (String field : text.strip().split(" +")) {
      int eq = field.indexOf('=');
      Integer v = eq > 0 ? number(field.substring(eq + 1)) : null;
      String name = eq > 0 ? field.substring(0, eq) : field;
      if (v == null || v < 1) {
        throw new ConfigException(
            List.of(source + ": " + KEY + ": '" + field + "' is not NAME=POSITIVE-NUMBER"));
      }
      switch (name) {
        case "maxCalls" -> calls = v;
        case "maxCallsPerSecond" -> perSecond = v;
        case "replicas" -> replicas = v;
        default ->
            throw new ConfigException(
                List.of(source + ": " + KEY + ": unknown field '" + name + "'"));
      }
    }
    if (replicas == null) {
      throw new ConfigException(List.of(source + ": " + KEY + ": replicas missing"));
    }
    return new CallLimitShare(calls, perSecond, replicas);
  }

  private static Integer number(String s) {
    if (s.isEmpty() || s.length() > 9) {
      return null;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return null;
      }
    }
    return Integer.parseInt(s);
  }
}
