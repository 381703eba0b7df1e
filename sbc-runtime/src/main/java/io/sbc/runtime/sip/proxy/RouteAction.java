package io.sbc.runtime.sip.proxy;

import java.util.List;

/**
 * What routing decided for a new request: forward to targets (in failover order, or all at once
 * when parallel), or reject with a status.
 */
public record RouteAction(
    List<Target> targets, boolean parallel, boolean recordRoute, int rejectStatus, String reason) {

  public static RouteAction forward(List<Target> targets, boolean parallel, boolean recordRoute) {
    return new RouteAction(List.copyOf(targets), parallel, recordRoute, 0, null);
  }

  public static RouteAction reject(int status, String reason) {
    return new RouteAction(List.of(), false, false, status, reason);
  }

  public boolean isReject() {
    return rejectStatus != 0;
  }
}
