package io.sbc.api;

/**
 * Topology hiding: towards the other side of the SBC no address of this side appears (Via,
 * Record-Route, Route, Contact; optionally Call-ID and the hosts of From and To). What must be
 * restored travels sealed (encrypted and authenticated) in the SBC's own Contact URIs, so any
 * replica restores any in-dialog request. Set on a gateway for every call, or on a route's rule.
 */
public class TopologyHiding {
  /** Hide the addresses of each side from the other. */
  public Boolean enabled = false;

  /** Also replace the Call-ID (a reversible encryption of it, so every replica restores it). */
  public Boolean callId = false;

  /** Also replace the host parts of From and To with the SBC's address. */
  public Boolean fromToHost = false;
}
