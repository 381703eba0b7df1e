package io.sbc.runtime.sip.proxy;

/**
 * What the proxy tells a destination's owner (a dispatcher) about the branches sent to it: how many
 * calls it carries, and whether it failed, so that failover can skip it at once.
 *
 * <p>Called on the loop of the request's transaction; implementations must be thread safe and must
 * not block.
 */
public interface TargetFeedback {
  /** A request of this method and Call-ID was sent to the target. */
  void branchStarted(String method, String callId);

  /**
   * The branch ended with this final status; 408 for a timeout, 503 when the transport failed, 487
   * when cancelled. A 2xx to an INVITE starts a call that {@link #callEnded} ends.
   */
  void branchEnded(String method, String callId, int status);

  /** A call this target answered ended (its BYE passed, or it was never confirmed). */
  void callEnded(String callId);
}
