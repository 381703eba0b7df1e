package io.sbc.runtime.sip.proxy;

import java.util.List;

/**
 * What routing decided for a request: forward to targets (in failover order, or all at once when
 * parallel) after rewriting it, or answer it locally with a status.
 *
 * @param targets where to forward, in the order to try
 * @param parallel fork to every target at once
 * @param recordRoute stay on the dialog's path
 * @param status a local answer's status (0 when forwarding)
 * @param reason the local answer's reason phrase
 * @param extraHeaders header lines (each ending in CRLF) added to a local answer, or null
 * @param rewrite changes to the request before it is forwarded, or null
 * @param failover which final responses make serial forking try the next target
 * @param rule the name of the rule that decided, for logs and tests (may be null)
 * @param edge topology hiding and NAT traversal for what is forwarded
 * @param callLimit the rule's call admission limits, or null for none
 * @param media media anchoring on RTPengine for what is forwarded
 * @param access the registrar's part and authentication of the rule
 */
public record RouteAction(
    List<Target> targets,
    boolean parallel,
    boolean recordRoute,
    int status,
    String reason,
    String extraHeaders,
    RequestRewrite rewrite,
    FailoverPolicy failover,
    String rule,
    EdgePolicy edge,
    CallLimit callLimit,
    MediaPolicy media,
    AccessPolicy access) {

  public RouteAction {
    if (access == null) {
      access = AccessPolicy.NONE;
    }
  }

  /** The same decision with other targets (the registered contacts a lookup found). */
  public RouteAction withTargets(List<Target> t, boolean parallelForking) {
    return new RouteAction(
        List.copyOf(t),
        parallelForking,
        recordRoute,
        status,
        reason,
        extraHeaders,
        rewrite,
        failover,
        rule,
        edge,
        callLimit,
        media,
        access);
  }

  public static RouteAction forward(List<Target> targets, boolean parallel, boolean recordRoute) {
    return new RouteAction(
        List.copyOf(targets),
        parallel,
        recordRoute,
        0,
        null,
        null,
        null,
        FailoverPolicy.DEFAULT,
        null,
        EdgePolicy.NONE,
        null,
        MediaPolicy.NONE,
        AccessPolicy.NONE);
  }

  public static RouteAction reject(int status, String reason) {
    return answer(status, reason, null, null);
  }

  /** A local answer: a rejection, a redirection (with Contact lines) or a response. */
  public static RouteAction answer(int status, String reason, String extraHeaders, String rule) {
    return new RouteAction(
        List.of(),
        false,
        false,
        status,
        reason,
        extraHeaders,
        null,
        null,
        rule,
        EdgePolicy.NONE,
        null,
        MediaPolicy.NONE,
        AccessPolicy.NONE);
  }

  /** Whether the request is answered here rather than forwarded. */
  public boolean isReject() {
    return status != 0;
  }
}
