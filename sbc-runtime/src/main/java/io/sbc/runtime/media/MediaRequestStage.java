package io.sbc.runtime.media;

import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.proxy.MediaPolicy;
import io.sbc.runtime.sip.proxy.Outcome;
import io.sbc.runtime.sip.proxy.ProxyRequest;
import io.sbc.runtime.sip.proxy.RequestStage;
import org.jboss.logging.Logger;

/**
 * The request side of media anchoring, after routing (the rule's policy is known) and topology
 * hiding: an INVITE or UPDATE with SDP is offered to RTPengine and forwarded with RTPengine's SDP
 * (RFC 3264 offer); an ACK with SDP answers a late offer (the 2xx carried it, RFC 3261 section
 * 13.2.1); a BYE deletes the call. The request waits for RTPengine as a pause of this stage.
 */
public final class MediaRequestStage implements RequestStage {
  private static final Logger LOG = Logger.getLogger(MediaRequestStage.class);

  private final MediaControl control;

  public MediaRequestStage(MediaControl control) {
    this.control = control;
  }

  @Override
  public String name() {
    return "media-offer";
  }

  @Override
  public Outcome process(ProxyRequest r) {
    SipMessage m = r.message();
    String method = m.method();
    if (SipMethod.BYE.equals(method)) {
      // Whatever the policy says now: the call may have been anchored by its rule, and a delete
      // of a call RTPengine does not hold costs one answered datagram.
      control.delete(r.loop(), r.originalCallId(), m.fromTag(), null);
      return Outcome.CONTINUE;
    }
    MediaPolicy policy =
        r.isInDialog() || r.action() == null ? control.gatewayPolicy() : r.action().media();
    if (!policy.anchor()) {
      return Outcome.CONTINUE;
    }
    if (SipMethod.ACK.equals(method)) {
      long sdp = SdpBody.find(m);
      if (sdp < 0) {
        return Outcome.CONTINUE;
      }
      // The answer to an offer a 2xx made: the offerer is the callee (the To tag).
      return send(r, sdp, false, m.toTag(), m.fromTag(), policy.forAnswer(), null);
    }
    if (!SipMethod.INVITE.equals(method) && !SipMethod.UPDATE.equals(method)) {
      return Outcome.CONTINUE;
    }
    MediaCall call =
        new MediaCall(
            control,
            r.loop(),
            policy,
            r.originalCallId(),
            m.fromTag(),
            SipMethod.INVITE.equals(method) && !r.isInDialog());
    r.media(call);
    long sdp = SdpBody.find(m);
    if (sdp < 0) {
      return Outcome.CONTINUE; // late offer: the 2xx brings the offer
    }
    call.requestHadSdp = true;
    return send(r, sdp, true, m.fromTag(), null, policy, call);
  }

  /**
   * @param range where the SDP is ({@link SdpBody#find})
   */
  private Outcome send(
      ProxyRequest r,
      long range,
      boolean offer,
      String fromTag,
      String toTag,
      MediaPolicy policy,
      MediaCall call) {
    SipMessage m = r.message();
    int start = (int) (range >>> 32);
    int end = (int) range;
    r.pause(control.pauseMillis());
    control.offerOrAnswer(
        r.loop(),
        offer,
        r.originalCallId(),
        fromTag,
        toTag,
        m.text(start, end),
        policy,
        null,
        (sdp, instance, failure) -> {
          if (sdp != null) {
            r.edits().replaceBody(start, end, sdp);
            if (call != null) {
              call.offerAnswered(instance);
            }
            r.resume();
            return;
          }
          failed(r, policy, failure);
        });
    return Outcome.PAUSE;
  }

  private void failed(ProxyRequest r, MediaPolicy policy, String failure) {
    SipMessage m = r.message();
    if (policy.continueOnFailure() || SipMethod.ACK.equals(m.method())) {
      // An ACK cannot be refused; a Continue rule goes on with the SDP as it came.
      control.stats().unanchored.increment();
      LOG.debugf(
          "%s of Call-ID %s forwarded without media anchoring: %s",
          m.method(), r.callId(), failure);
      r.resume();
      return;
    }
    // Debug only: a dead RTPengine would log once per call; RtpEngines logs the instance going
    // down, and the failures are counted (sbc_media_command_failures_total).
    LOG.debugf("%s of Call-ID %s refused: %s", m.method(), r.callId(), failure);
    r.fail(503, "Service Unavailable (media relay)");
  }

  @Override
  public void timedOut(ProxyRequest r) {
    r.answer(503, "Service Unavailable (media relay timed out)", null);
  }
}
