package io.sbc.runtime.sip.proxy;

/**
 * What a media stage leaves on a request whose SDP it handled, so that the proxy can tell it how
 * the request's transaction ended and the response stages can find it: the offer RTPengine holds
 * must be withdrawn when the call never starts (a final failure, CANCEL, a timeout).
 *
 * <p>Called on the transaction's loop.
 */
public interface MediaSession {
  /**
   * The request's transaction ended with this final status, 300 or above (487 after a CANCEL, 408
   * after a timeout, 500 when the SBC gave up), whether it came from downstream or was answered
   * here. May be called more than once for one request; only the first counts.
   */
  void transactionFailed(int status);

  /** A BYE's: what RTPengine relayed for the call it deleted (null: not known). */
  default CallEvents.MediaCounters counters() {
    return null;
  }
}
