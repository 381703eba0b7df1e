package io.sbc.runtime.media;

import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.proxy.CallEvents;
import io.sbc.runtime.sip.proxy.DialogMedia;
import io.sbc.runtime.sip.proxy.MediaPolicy;
import io.sbc.runtime.sip.proxy.MediaSession;
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
    DialogMedia dialog = r.isInDialog() ? r.dialogMedia() : null;
    if (SipMethod.BYE.equals(method)) {
      if (dialog != null && !dialog.anchored()) {
        return Outcome.CONTINUE; // sealed as not anchored: RTPengine never had it
      }
      // Without sealed state, whatever the policy says now: the call may have been anchored by
      // its rule, and a delete of a call RTPengine does not hold costs one answered datagram.
      return delete(r, dialog);
    }
    boolean initialInvite = SipMethod.INVITE.equals(method) && !r.isInDialog();
    MediaPolicy policy =
        r.isInDialog()
            ? control.policyOf(dialog)
            : r.action() == null ? control.gatewayPolicy() : r.action().media();
    if (!policy.anchor()) {
      if (initialInvite) {
        r.sealMedia(MediaControl.stateOf(false, policy, null));
      }
      return Outcome.CONTINUE;
    }
    RtpEngines.Instance instance = control.instanceOf(dialog);
    boolean fromCallee = dialog != null && dialog.fromCallee();
    if (SipMethod.ACK.equals(method)) {
      long sdp = SdpBody.find(m);
      if (sdp < 0) {
        return Outcome.CONTINUE;
      }
      // The answer to an offer a 2xx made: the offerer is the callee (the To tag).
      return send(r, sdp, false, m.toTag(), m.fromTag(), policy.forAnswer(), null, instance);
    }
    if (!SipMethod.INVITE.equals(method) && !SipMethod.UPDATE.equals(method)) {
      return Outcome.CONTINUE;
    }
    MediaCall call =
        new MediaCall(
            control, r.loop(), policy, r.originalCallId(), m.fromTag(), initialInvite, fromCallee);
    call.instance = instance;
    r.media(call);
    long sdp = SdpBody.find(m);
    if (sdp < 0) {
      // Late offer: the 2xx brings the offer. A new call's instance is chosen now, so that the
      // Record-Route values (the request's is sealed before the 2xx comes) name it.
      if (initialInvite) {
        call.instance = control.engines().choose(r.originalCallId());
        if (call.instance == null) {
          return failed(r, policy, "no RTPengine instance is up", false);
        }
        r.sealMedia(MediaControl.stateOf(true, policy, call.instance));
      }
      return Outcome.CONTINUE;
    }
    call.requestHadSdp = true;
    // An offer from the callee's side (its re-INVITE): interfaces swapped, and the transport
    // protocol the rule sets is the callee side's, which RTPengine keeps.
    return send(
        r, sdp, true, m.fromTag(), null, fromCallee ? policy.fromCallee() : policy, call, instance);
  }

  /**
   * A BYE: RTPengine deletes the call, and the BYE waits for its reply, whose counters the call's
   * end event carries (for accounting). An instance this replica knows is down is not waited for.
   */
  private Outcome delete(ProxyRequest r, DialogMedia dialog) {
    SipMessage m = r.message();
    byte[] callId = r.originalCallId();
    RtpEngines.Instance sealed = control.instanceOf(dialog);
    RtpEngines.Instance target = sealed != null ? sealed : control.engines().choose(callId);
    boolean fromCallee = dialog != null && dialog.fromCallee();
    if (target == null || !target.isUp()) {
      control.delete(r.loop(), callId, m.fromTag(), target, fromCallee, null);
      return Outcome.CONTINUE;
    }
    r.pause(control.pauseMillis());
    control.delete(
        r.loop(),
        callId,
        m.fromTag(),
        target,
        fromCallee,
        counters -> {
          if (counters != null) {
            r.media(new Deleted(counters));
          }
          r.resume();
        });
    return Outcome.PAUSE;
  }

  /** What a BYE leaves: the counters of the call it deleted. */
  private record Deleted(CallEvents.MediaCounters counters) implements MediaSession {
    @Override
    public void transactionFailed(int status) {
      // A BYE that fails leaves nothing to undo: the call is gone from RTPengine either way.
    }
  }

  /**
   * @param range where the SDP is ({@link SdpBody#find})
   * @param instance the dialog's instance, or null to choose by Call-ID (a new call: the next one
   *     up is tried when it does not answer)
   */
  private Outcome send(
      ProxyRequest r,
      long range,
      boolean offer,
      String fromTag,
      String toTag,
      MediaPolicy policy,
      MediaCall call,
      RtpEngines.Instance instance) {
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
        instance,
        (sdp, by, failure) -> {
          if (sdp != null) {
            r.edits().replaceBody(start, end, sdp);
            if (call != null) {
              call.offerAnswered(by);
              if (call.initialInvite) {
                r.sealMedia(MediaControl.stateOf(true, policy, by));
              }
            }
            r.resume();
            return;
          }
          failed(r, policy, failure, true);
        });
    return Outcome.PAUSE;
  }

  /**
   * The command failed: a Continue rule (and always an ACK, which cannot be refused) goes on with
   * the SDP as it came, a new call then sealed as not anchored; else the request gets 503.
   *
   * @param paused the stage is paused (resume or fail it); else answer what {@link #process}
   *     returns
   */
  private Outcome failed(ProxyRequest r, MediaPolicy policy, String failure, boolean paused) {
    SipMessage m = r.message();
    if (policy.continueOnFailure() || SipMethod.ACK.equals(m.method())) {
      control.stats().unanchored.increment();
      LOG.debugf(
          "%s of Call-ID %s forwarded without media anchoring: %s",
          m.method(), r.callId(), failure);
      if (SipMethod.INVITE.equals(m.method()) && !r.isInDialog()) {
        r.sealMedia(MediaControl.stateOf(false, policy, null));
        if (r.media() instanceof MediaCall c) {
          c.unanchored = true;
        }
      }
      if (paused) {
        r.resume();
      }
      return Outcome.CONTINUE;
    }
    // Debug only: a dead RTPengine would log once per call; RtpEngines logs the instance going
    // down, and the failures are counted (sbc_media_command_failures_total).
    LOG.debugf("%s of Call-ID %s refused: %s", m.method(), r.callId(), failure);
    if (paused) {
      r.fail(503, "Service Unavailable (media relay)");
      return Outcome.PAUSE;
    }
    r.answer(503, "Service Unavailable (media relay)", null);
    return Outcome.STOP;
  }

  @Override
  public void timedOut(ProxyRequest r) {
    r.answer(503, "Service Unavailable (media relay timed out)", null);
  }
}
