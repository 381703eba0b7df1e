package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.locate.UriTarget;
import io.sbc.runtime.sip.message.MessageEditor;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.timer.Timeout;
import io.sbc.runtime.sip.transaction.ServerTransaction;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Loop;
import java.net.InetSocketAddress;

/**
 * A request on its way through the proxy's stages: the message as received, the edits decided so
 * far, what each stage found, and where the pipeline stands. Lives on one loop: every field is only
 * touched there.
 */
public final class ProxyRequest implements CallEvents.Call, ServerTransaction.Owner {
  final Proxy proxy;
  final Loop loop;
  final SipMessage request;
  final Flow source;
  final MessageEditor edits;
  final boolean inDialog;
  final long startedAt;

  /** The server transaction's key (stateful), computed once for the retransmission check. */
  final String serverKey;

  /** The server transaction, once the transaction stage created it (stateful mode). */
  ServerTransaction server;

  /** The position in the pipeline: the index of the stage running or paused. */
  int stage;

  private Timeout pauseTimer;
  private boolean finished;

  // --- what RoutePreprocessing (16.4) found ---------------------------------------------------

  /** The first Route value left after this proxy's own were removed, or null. */
  NameAddr nextRoute;

  /** A strict-routing rewrite of the Request-URI (sections 16.4 and 16.6 step 6), or null. */
  String newRequestUri;

  /**
   * Where an in-dialog request goes, from the verified token of this SBC's Route value; null when
   * the request carried none.
   */
  UriTarget sealedHop;

  // --- what routing decided -------------------------------------------------------------------

  int loopHash;
  RouteAction action;
  boolean recordRoute;

  /** The token of the Record-Route value this SBC inserts (sealed once for every branch). */
  String recordRouteToken;

  // --- the edge: topology hiding and NAT ------------------------------------------------------

  /** The policy in force: the rule's for a new request, the dialog's for an in-dialog one. */
  EdgePolicy edge = EdgePolicy.NONE;

  /** The sender's source, when it is behind NAT: where requests towards it must go. */
  io.sbc.runtime.sip.locate.UriTarget natHop;

  /** Whether this request is forwarded hiding this side (and restored from the tokens). */
  boolean hidden;

  /** The dialog's original Call-ID (what the tokens are bound to), as bytes. */
  byte[] originalCallId;

  /** In a hidden dialog: where the request goes (restored from our Contact URI it names). */
  HiddenState.Contact hiddenTarget;

  /** In a hidden dialog: the route set towards that side (from our Record-Route value). */
  HiddenState.Routes hiddenRoutes;

  /** A new request to a 3xx Contact the SBC handed out: where it goes. */
  HiddenState.Redirect redirect;

  /** The route set of the sender's side (the Record-Route values it came with, hidden). */
  java.util.List<String> senderRoutes;

  /** The token for the sender's Contact, written into the forwarded copy's Contact. */
  String contactToken;

  int contactValueStart = -1;
  int contactValueEnd = -1;

  /** What responses going back to the sender must carry again (its Via lines and so on). */
  HiddenOrigin origin;

  /** The same, sealed into our Via, for a response that reaches another replica. */
  String viaToken;

  private String callId;

  /** What the media stage left for the transaction's end and the response stages, or null. */
  MediaSession media;

  /** A new dialog's media, sealed into this SBC's Record-Route values (null: none). */
  DialogMedia sealMedia;

  /** An in-dialog request: the dialog's media, opened from the Route token (null: none there). */
  DialogMedia dialogMedia;

  ProxyRequest(Proxy proxy, Loop loop, Flow source, SipMessage request, String serverKey) {
    this.proxy = proxy;
    this.loop = loop;
    this.source = source;
    this.request = request;
    this.serverKey = serverKey;
    this.edits = new MessageEditor(request);
    this.inDialog = request.toTag() != null;
    this.startedAt = proxy.clock().millis();
  }

  /** The request as received (edits are separate). */
  public SipMessage message() {
    return request;
  }

  /** Where it came from. */
  public Flow source() {
    return source;
  }

  public InetSocketAddress sourceAddress() {
    return source.remote();
  }

  /** The edits that forwarding applies to every copy (stages add theirs here). */
  public MessageEditor edits() {
    return edits;
  }

  public Loop loop() {
    return loop;
  }

  /** Whether the request claims a dialog (a To tag, RFC 3261 section 12.2). */
  public boolean isInDialog() {
    return inDialog;
  }

  /** The dialog's Call-ID as its caller chose it (a masked one opened: topology hiding). */
  public byte[] originalCallId() {
    return TopologyHiding.originalCallId(this);
  }

  /**
   * A new dialog's media state, to be sealed into this SBC's Record-Route values (the request's and
   * its 1xx/2xx's). An anchored dialog is record-routed whatever its rule says: its BYE must pass
   * here for RTPengine to delete the call.
   */
  public void sealMedia(DialogMedia m) {
    this.sealMedia = m;
    if (m.anchored()) {
      recordRoute = true;
    }
  }

  /** An in-dialog request's media state, from its Route token; null when it carried none. */
  public DialogMedia dialogMedia() {
    return dialogMedia;
  }

  /** What a media stage left on this request (null: none). */
  public MediaSession media() {
    return media;
  }

  /** Leaves media state on this request, for its transaction's end and its responses. */
  public void media(MediaSession session) {
    this.media = session;
  }

  /** What routing decided, once it has. */
  public RouteAction action() {
    return action;
  }

  /**
   * Replaces the targets routing chose (a lookup stage: the contacts registered for the
   * Request-URI), forked in parallel or one after the other.
   */
  public void retarget(java.util.List<Target> targets, boolean parallel) {
    action = action.withTargets(targets, parallel);
  }

  @Override
  public String callId() {
    if (callId == null) {
      callId = request.callId();
    }
    return callId;
  }

  @Override
  public String method() {
    return request.method();
  }

  @Override
  public String rule() {
    return action == null ? null : action.rule();
  }

  @Override
  public long startedAt() {
    return startedAt;
  }

  boolean isAck() {
    return request.method() == SipMethod.ACK;
  }

  /**
   * Answers the request here (a rejection, a local response): through its server transaction once
   * it has one, else statelessly to where it came from. An ACK gets no answer.
   */
  public void answer(int status, String reason, String extraHeaders) {
    proxy.answer(this, status, reason, extraHeaders);
  }

  /**
   * Called by a stage before it returns {@link Outcome#PAUSE}: if {@link #resume()} does not come
   * within {@code timeoutMillis}, the stage's {@link RequestStage#timedOut} answers the request.
   */
  public void pause(long timeoutMillis) {
    pauseTimer = loop.timers().schedule(() -> proxy.pauseExpired(this), timeoutMillis);
  }

  /**
   * Resumes the pipeline at the stage after the paused one, on this request's loop; callable from
   * any thread. Ignored when the pause already timed out.
   */
  public void resume() {
    loop.execute(() -> proxy.resumed(this));
  }

  /**
   * Ends a pause with a final answer instead of resuming (what the stage waited for failed): the
   * request goes no further. Callable from any thread; ignored when the pause already ended.
   */
  public void fail(int status, String reason) {
    conclude(status, reason, null);
  }

  /**
   * Ends a pause with a final answer carrying header lines (a challenge, a registrar's 200 with its
   * Contacts): the request goes no further. Callable from any thread; ignored when the pause
   * already ended.
   */
  public void conclude(int status, String reason, String extraHeaders) {
    loop.execute(() -> proxy.pauseFailed(this, status, reason, extraHeaders));
  }

  // --- what authentication found --------------------------------------------------------------

  private String authenticatedUser;

  /** The username the request authenticated as (digest), or null. */
  public String authenticatedUser() {
    return authenticatedUser;
  }

  /** Notes that the request authenticated as {@code username} (RFC 3261 section 22). */
  public void authenticated(String username) {
    this.authenticatedUser = username;
  }

  /** Ends the pause; false when there was none to end (it timed out, or resumed twice). */
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

  /** The server transaction gave up on a request still in its stages: it ends here. */
  @Override
  public void onFallback(ServerTransaction tx) {
    endPause();
    if (!finished && media != null) {
      media.transactionFailed(500);
    }
    finish();
  }

  boolean isFinished() {
    return finished;
  }

  void finish() {
    finished = true;
  }
}
