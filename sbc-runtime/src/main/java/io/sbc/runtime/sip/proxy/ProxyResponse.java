package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.message.MessageEditor;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.timer.Timeout;

/**
 * A response on its way upstream through the response stages: the message from the branch, the
 * edits decided so far, and where its pipeline stands. Lives on the transaction's loop.
 */
public final class ProxyResponse {
  final ResponseContext context;
  final SipMessage message;
  final MessageEditor edits;
  final Target target;

  /** Where the branch's request went (the responder's address): null for a local response. */
  final io.sbc.runtime.sip.transport.Flow branchFlow;

  int status;
  int stage;
  private Timeout pauseTimer;

  ProxyResponse(
      ResponseContext context,
      SipMessage message,
      Target target,
      io.sbc.runtime.sip.transport.Flow branchFlow,
      int status) {
    this.context = context;
    this.message = message;
    this.edits = new MessageEditor(message);
    this.target = target;
    this.branchFlow = branchFlow;
    this.status = status;
  }

  /** The response as received from downstream. */
  public SipMessage message() {
    return message;
  }

  public MessageEditor edits() {
    return edits;
  }

  /** The status that goes upstream (a 503 goes as 500, section 16.7 step 6). */
  public int status() {
    return status;
  }

  /** The target of the branch that answered. */
  public Target target() {
    return target;
  }

  /** The request this responds to, as the events see it. */
  public CallEvents.Call call() {
    return context;
  }

  /** What the media stage left on the request (null: none). */
  public MediaSession media() {
    return context.media();
  }

  /** The dialog's Call-ID as its caller chose it (what the request's media commands used). */
  public byte[] originalCallId() {
    return context.originalCallId();
  }

  /** Whether the dialog is forwarded with topology hiding (neither side sees the other). */
  public boolean hidden() {
    return context.hidden();
  }

  /** Whether this SBC record-routed the request (its Record-Route value is in the response). */
  public boolean recordRouted() {
    return context.recordRouted();
  }

  /** Like {@link ProxyRequest#pause(long)}: a stage waits; {@link #resume()} goes on. */
  public void pause(long timeoutMillis) {
    pauseTimer =
        context.loop().timers().schedule(() -> context.responsePauseExpired(this), timeoutMillis);
  }

  /** Resumes after the paused stage, on the transaction's loop; callable from any thread. */
  public void resume() {
    context.loop().execute(() -> context.responseResumed(this));
  }

  boolean endPause() {
    Timeout t = pauseTimer;
    pauseTimer = null;
    return t != null && t.cancel();
  }

  boolean pauseExpiredNow() {
    if (pauseTimer == null) {
      return false;
    }
    pauseTimer = null;
    return true;
  }
}
