package io.sbc.runtime.media;

import io.sbc.runtime.sip.proxy.MediaPolicy;
import io.sbc.runtime.sip.proxy.MediaSession;
import io.sbc.runtime.sip.transport.Loop;

/**
 * The media of one INVITE or UPDATE transaction: its policy, whether its SDP was offered to
 * RTPengine (else a 2xx brings the offer: late offer), the instance that took it, and the {@code
 * delete} when an initial INVITE fails. Lives on the transaction's loop.
 */
final class MediaCall implements MediaSession {
  final MediaControl control;
  final Loop loop;
  final MediaPolicy policy;
  final byte[] callId;
  final String fromTag;
  final boolean initialInvite;

  /** The request comes from the callee's side of the dialog (its re-INVITE or UPDATE). */
  final boolean fromCallee;

  /** The request carried SDP (an offer): a response's SDP is then its answer. */
  boolean requestHadSdp;

  /** The request's SDP went to RTPengine as an offer. */
  boolean offered;

  /** A response's SDP went to RTPengine as an offer (late offer: the ACK answers it). */
  boolean offeredByResponse;

  /** The call went on without anchoring (its command failed, the rule says Continue). */
  boolean unanchored;

  /** The instance that answered the offer (commands of this transaction go there). */
  RtpEngines.Instance instance;

  /** The transaction failed (perhaps while its offer was still on its way). */
  private boolean failed;

  MediaCall(
      MediaControl control,
      Loop loop,
      MediaPolicy policy,
      byte[] callId,
      String fromTag,
      boolean initialInvite,
      boolean fromCallee) {
    this.control = control;
    this.loop = loop;
    this.policy = policy;
    this.callId = callId;
    this.fromTag = fromTag;
    this.initialInvite = initialInvite;
    this.fromCallee = fromCallee;
  }

  /**
   * The call never started (a final failure, CANCEL, a timeout): RTPengine forgets the offer. A
   * failed re-INVITE or UPDATE leaves the call as it is (RFC 3261 section 14.1: the session stays).
   */
  @Override
  public void transactionFailed(int status) {
    if (failed || !initialInvite) {
      return;
    }
    failed = true;
    if (offered || offeredByResponse) {
      control.delete(loop, callId, fromTag, instance);
    }
  }

  /**
   * RTPengine took the request's offer. When the transaction already failed meanwhile (a CANCEL
   * while the offer was on its way), the offer is withdrawn at once.
   */
  void offerAnswered(RtpEngines.Instance by) {
    offered = true;
    instance = by;
    if (failed) {
      control.delete(loop, callId, fromTag, instance);
    }
  }
}
