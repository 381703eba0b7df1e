package io.sbc.runtime.media;

import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.proxy.Outcome;
import io.sbc.runtime.sip.proxy.ProxyResponse;
import io.sbc.runtime.sip.proxy.ResponseStage;
import org.jboss.logging.Logger;

/**
 * The response side of media anchoring: a 18x or 2xx with SDP to an anchored INVITE or UPDATE is
 * RTPengine's {@code answer} (To tag: the answering early dialog, so each fork of a forked call
 * gets its own), or, when the request had no SDP, RTPengine's {@code offer} (late offer, answered
 * by the ACK). The response waits for RTPengine as a pause of this stage.
 */
public final class MediaResponseStage implements ResponseStage {
  private static final Logger LOG = Logger.getLogger(MediaResponseStage.class);

  private final MediaControl control;

  public MediaResponseStage(MediaControl control) {
    this.control = control;
  }

  @Override
  public String name() {
    return "media-answer";
  }

  @Override
  public Outcome process(ProxyResponse resp) {
    if (!(resp.media() instanceof MediaCall call) || !call.policy.anchor() || call.unanchored) {
      return Outcome.CONTINUE;
    }
    SipMessage m = resp.message();
    int status = m.status();
    if (status <= 100 || status >= 300) {
      return Outcome.CONTINUE;
    }
    long range = SdpBody.find(m);
    if (range < 0) {
      return Outcome.CONTINUE;
    }
    int start = (int) (range >>> 32);
    int end = (int) range;
    String method = m.cseqMethod();
    if (!SipMethod.INVITE.equals(method) && !SipMethod.UPDATE.equals(method)) {
      return Outcome.CONTINUE;
    }
    if (call.requestHadSdp && !call.offered) {
      return Outcome.CONTINUE; // the offer went on unanchored (onFailure: Continue): so does this
    }
    boolean offer = !call.offered;
    if (offer && status >= 200 && !SipMethod.INVITE.equals(method)) {
      return Outcome.CONTINUE;
    }
    resp.pause(control.pauseMillis());
    control.offerOrAnswer(
        call.loop,
        offer,
        call.callId,
        // An answer: the offerer's From tag and the answering dialog's To tag. A late offer: the
        // callee offers, so its To tag is the offerer's.
        offer ? m.toTag() : m.fromTag(),
        offer ? null : m.toTag(),
        m.text(start, end),
        // A late offer comes from the side the request went to: the callee's (interfaces
        // swapped, its transport protocol kept) unless the callee sent the request.
        offer
            ? (call.fromCallee ? call.policy : call.policy.fromCallee())
            : call.policy.forAnswer(),
        call.instance,
        (sdp, instance, failure) -> {
          if (sdp != null) {
            resp.edits().replaceBody(start, end, sdp);
            if (offer) {
              call.offeredByResponse = true;
              call.instance = instance;
            }
          } else if (call.policy.continueOnFailure() && !resp.hidden()) {
            control.stats().unanchored.increment();
            LOG.debugf(
                "%d to %s of Call-ID %s forwarded without media anchoring: %s",
                status, method, resp.call().callId(), failure);
          } else {
            // The other side's SDP must not reach this side: the rule wants anchoring, or the
            // dialog is hidden. The response goes on without it (a caller given a 2xx without the
            // answer ends the call: RFC 3264 section 4 makes the answer mandatory there).
            control.stats().stripped.increment();
            LOG.debugf(
                "%d to %s of Call-ID %s forwarded without its SDP: %s",
                status, method, resp.call().callId(), failure);
            strip(resp, m, start, end);
          }
          resp.resume();
        });
    return Outcome.PAUSE;
  }

  /** Removes the SDP (the whole body with its Content-Type, or the SDP part's content). */
  private static void strip(ProxyResponse resp, SipMessage m, int start, int end) {
    boolean whole = start == m.bodyStart() && end == m.bodyStart() + m.bodyLength();
    resp.edits().replaceBody(start, end, new byte[0]);
    int h = whole ? m.findHeader(HeaderName.CONTENT_TYPE) : -1;
    if (h >= 0) {
      resp.edits().delete(m.headerLineStart(h), m.headerLineEnd(h));
    }
  }
}
