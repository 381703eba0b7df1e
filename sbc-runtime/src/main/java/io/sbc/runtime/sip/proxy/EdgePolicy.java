package io.sbc.runtime.sip.proxy;

import io.sbc.api.NatTraversal;
import io.sbc.api.TopologyHiding;

/**
 * What the SBC does at the edge for the calls a rule forwards: topology hiding (which parts of each
 * side are hidden from the other) and NAT traversal (which tests mark a sender as behind NAT, and
 * how often its binding is kept open). Compiled once per rule from the rule's settings or the
 * gateway's.
 *
 * @param hide hide Via, Record-Route, Route and Contact of each side from the other
 * @param hideCallId also replace the Call-ID
 * @param hideFromToHost also replace the hosts of From and To
 * @param natTests the {@code NAT_*} tests that mark a sender as behind NAT (any one suffices)
 * @param keepaliveSeconds keepalives to NATed ends of calls in progress; 0 for none
 */
public record EdgePolicy(
    boolean hide, boolean hideCallId, boolean hideFromToHost, int natTests, int keepaliveSeconds) {
  public static final int NAT_PRIVATE_CONTACT = 1;
  public static final int NAT_CONTACT_MISMATCH = 2;
  public static final int NAT_VIA_MISMATCH = 4;
  public static final int NAT_PRIVATE_SOURCE = 8;

  /** Nothing hidden, no NAT detection. */
  public static final EdgePolicy NONE = new EdgePolicy(false, false, false, 0, 0);

  /** The policy of these settings (null settings: none of them). */
  public static EdgePolicy of(TopologyHiding t, NatTraversal n) {
    boolean hide = t != null && Boolean.TRUE.equals(t.enabled);
    int tests = 0;
    if (n != null && n.detect != null) {
      for (String d : n.detect) {
        tests |=
            switch (d) {
              case "PrivateContact" -> NAT_PRIVATE_CONTACT;
              case "ContactMismatch" -> NAT_CONTACT_MISMATCH;
              case "ViaMismatch" -> NAT_VIA_MISMATCH;
              case "PrivateSource" -> NAT_PRIVATE_SOURCE;
              default -> 0;
            };
      }
    }
    EdgePolicy p =
        new EdgePolicy(
            hide,
            hide && Boolean.TRUE.equals(t.callId),
            hide && Boolean.TRUE.equals(t.fromToHost),
            tests,
            n == null || n.keepaliveSeconds == null ? 0 : n.keepaliveSeconds);
    return p.equals(NONE) ? NONE : p;
  }

  /** Whether NAT detection runs at all. */
  public boolean detectsNat() {
    return natTests != 0;
  }
}
