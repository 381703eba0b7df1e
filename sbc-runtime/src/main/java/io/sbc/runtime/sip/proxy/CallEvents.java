package io.sbc.runtime.sip.proxy;

/**
 * What happens to the calls (and other requests) the proxy forwards, for whoever keeps count: the
 * dispatcher (calls per destination, failures), metrics, accounting. The one channel from the proxy
 * to them.
 *
 * <p>Called on the loop of the request's transaction, in order for one request; implementations
 * must be thread safe (other requests run on other loops), fast, and must not block.
 */
public interface CallEvents {
  /** Why a call ended. */
  enum EndReason {
    /** A BYE was answered 2xx (or 481, 408: the other side no longer has the call). */
    BYE,
    /** The INVITE got a final response other than 2xx: the call never started. */
    FAILED,
    /** The INVITE was cancelled by its caller. */
    CANCELLED,
    /** Nobody said it ended within the longest call allowed: forgotten. */
    EXPIRED,
    /** Another 2xx for the same Call-ID replaced it (a forked call answered twice). */
    REPLACED
  }

  /** A request routed to targets: the first branch is about to start. */
  default void requestRouted(Call call) {}

  /** A branch of {@code call} was sent to {@code target}. */
  default void branchStarted(Call call, Target target) {}

  /**
   * A branch ended with this final status: 408 for a timeout, 503 when the transport failed, 487
   * when cancelled, or the status the target answered.
   */
  default void branchEnded(Call call, Target target, int status) {}

  /** An INVITE was answered 2xx by {@code target}: the call is up until {@link #callEnded}. */
  default void callAnswered(Call call, Target target) {}

  /**
   * A call ended: its BYE succeeded, or it never started (the INVITE's final response), or it was
   * forgotten. {@code answeredBy} is the target that answered it, null when none did.
   */
  default void callEnded(Call call, Target answeredBy, EndReason reason, int status) {}

  /**
   * What RTPengine relayed for an anchored call, per direction, from its reply to the call's {@code
   * delete}: packets and bytes of RTP it received from each side, and the packets lost on the way
   * to it as RTCP reports say (0 without RTCP).
   */
  record MediaCounters(
      long fromCallerPackets,
      long fromCallerBytes,
      long fromCallerLost,
      long fromCalleePackets,
      long fromCalleeBytes,
      long fromCalleeLost) {}

  /** What is known of a call (or of any request) when an event fires. */
  interface Call {
    /**
     * At {@link #callEnded} of a call ended by its BYE, with media anchored on RTPengine: what
     * RTPengine relayed (for accounting records); null otherwise (no anchoring, a call that never
     * started, RTPengine did not answer the delete, other events).
     */
    default MediaCounters mediaCounters() {
      return null;
    }

    String callId();

    /** The method of the request that this event is about (INVITE for a call). */
    String method();

    /** The routing rule that decided, or null (in-dialog requests, local answers). */
    String rule();

    /** When the request arrived, in milliseconds of the wall clock. */
    long startedAt();

    /**
     * The request as received, while the proxy still holds it (for accounting: its From and
     * Request-URI); null once released. Read it on the event's thread only.
     */
    default io.sbc.runtime.sip.message.SipMessage message() {
      return null;
    }

    /** The address the request came from, or null. */
    default java.net.InetSocketAddress sourceAddress() {
      return null;
    }
  }

  /** Tells several subscribers, in order. */
  static CallEvents all(java.util.List<CallEvents> subscribers) {
    CallEvents[] s = subscribers.toArray(new CallEvents[0]);
    if (s.length == 1) {
      return s[0];
    }
    return new CallEvents() {
      @Override
      public void requestRouted(Call call) {
        for (CallEvents e : s) {
          e.requestRouted(call);
        }
      }

      @Override
      public void branchStarted(Call call, Target target) {
        for (CallEvents e : s) {
          e.branchStarted(call, target);
        }
      }

      @Override
      public void branchEnded(Call call, Target target, int status) {
        for (CallEvents e : s) {
          e.branchEnded(call, target, status);
        }
      }

      @Override
      public void callAnswered(Call call, Target target) {
        for (CallEvents e : s) {
          e.callAnswered(call, target);
        }
      }

      @Override
      public void callEnded(Call call, Target answeredBy, EndReason reason, int status) {
        for (CallEvents e : s) {
          e.callEnded(call, answeredBy, reason, status);
        }
      }
    };
  }

  /** Nobody listens. */
  CallEvents NONE = new CallEvents() {};
}
