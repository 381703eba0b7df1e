package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.locate.Hop;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.MessageEditor;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.transaction.ClientTransaction;
import io.sbc.runtime.sip.transaction.ServerTransaction;
import io.sbc.runtime.sip.transport.Loop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The response context of one proxied request (RFC 3261 section 16.7): its branches, serial
 * failover or parallel forking over the targets (and over the hops each target resolves to, RFC
 * 3263 section 4.3), the best final response, CANCEL, and the response stages every response passes
 * on its way upstream.
 *
 * <p>Runs on the loop that owns the server transaction; client transactions are created there too.
 */
final class ResponseContext
    implements ClientTransaction.Owner,
        ServerTransaction.Owner,
        CallEvents.Call,
        NatKeepalive.NatPeers {
  /** One target being tried: the hops it resolved to and the client transaction of the current. */
  private static final class Branch {
    final Target target;
    List<Hop> hops;
    int nextHop;
    ClientTransaction tx;
    boolean resolving;
    boolean unresolved;
    boolean started;
    boolean done;
    int lastStatus;

    Branch(Target target) {
      this.target = target;
    }
  }

  private final Proxy proxy;
  private final ServerTransaction server;
  private final Loop loop;

  /** The request; released once a final response went upstream (no branch starts after). */
  private ProxyRequest request;

  private final String method;
  private final String callId;
  private final long startedAt;

  /** What routing decided; released once the final response went upstream. */
  private RouteAction action;

  private final String rule;
  private final boolean recordRouted;
  private final List<Branch> branches = new ArrayList<>(2);
  private int nextTarget;
  private boolean cancelled;
  private boolean finalSent;
  private SipMessage best;
  private int bestStatus;
  private Target bestTarget;
  private io.sbc.runtime.sip.transport.Flow bestFlow;

  /** The best so far is a target whose host did not resolve (the caller is told so). */
  private boolean bestUnresolved;

  /** Topology hiding: whether the request was forwarded hidden, and what to restore upstream. */
  private final boolean hidden;

  private final HiddenOrigin origin;
  private final EdgePolicy edge;
  private byte[] originalCallId;

  /** The ends of the call behind NAT (the caller's source, the answering callee's). */
  private final io.sbc.runtime.sip.locate.UriTarget callerNat;

  private io.sbc.runtime.sip.locate.UriTarget calleeNat;

  /** WWW-/Proxy-Authenticate lines of every 401 and 407 (section 16.7 step 7). */
  private List<byte[]> challenges;

  /** Responses waiting behind one that a stage paused, so they leave in arrival order. */
  private ArrayDeque<Object> queue;

  private ProxyResponse inStages;

  /** What the media stage left on the request (null: none). */
  private final MediaSession media;

  ResponseContext(Proxy proxy, ServerTransaction server, ProxyRequest request) {
    this.proxy = proxy;
    this.server = server;
    this.loop = server.loop();
    this.request = request;
    this.method = request.request.method();
    this.callId = request.callId();
    this.startedAt = request.startedAt;
    this.action = request.action;
    this.rule = action.rule();
    this.recordRouted = request.recordRoute;
    this.hidden = request.hidden;
    this.origin = request.origin;
    this.edge = request.edge;
    this.originalCallId = request.originalCallId;
    this.callerNat = request.natHop;
    this.media = request.media;
    this.sealMedia = request.sealMedia;
  }

  /** The dialog's media state, sealed into the Record-Route value the caller keeps too. */
  private final DialogMedia sealMedia;

  DialogMedia sealMedia() {
    return sealMedia;
  }

  MediaSession media() {
    return media;
  }

  // --- CallEvents.Call ------------------------------------------------------------------------

  @Override
  public String callId() {
    return callId;
  }

  @Override
  public String method() {
    return method;
  }

  @Override
  public String rule() {
    return rule;
  }

  @Override
  public long startedAt() {
    return startedAt;
  }

  @Override
  public SipMessage message() {
    ProxyRequest r = request;
    return r == null ? null : r.request;
  }

  @Override
  public java.net.InetSocketAddress sourceAddress() {
    ProxyRequest r = request;
    return r == null ? null : r.sourceAddress();
  }

  Loop loop() {
    return loop;
  }

  boolean recordRouted() {
    return recordRouted;
  }

  boolean hidden() {
    return hidden;
  }

  EdgePolicy edge() {
    return edge;
  }

  HiddenOrigin origin() {
    return origin;
  }

  ServerTransaction server() {
    return server;
  }

  /** The Call-ID the dialog's tokens are bound to (the one its caller chose). */
  byte[] originalCallId() {
    if (originalCallId == null) {
      originalCallId = callId.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
    return originalCallId;
  }

  @Override
  public java.util.List<io.sbc.runtime.sip.locate.UriTarget> natPeers() {
    if (callerNat == null && calleeNat == null) {
      return java.util.List.of();
    }
    if (callerNat == null || calleeNat == null) {
      return java.util.List.of(callerNat != null ? callerNat : calleeNat);
    }
    return java.util.List.of(callerNat, calleeNat);
  }

  @Override
  public int keepaliveSeconds() {
    return edge.keepaliveSeconds();
  }

  /** The responder's address when, by the rule's tests, it is behind NAT; else null. */
  io.sbc.runtime.sip.locate.UriTarget responderNatHop(
      SipMessage response, io.sbc.runtime.sip.transport.Flow from) {
    if (from == null || !edge.detectsNat()) {
      return null;
    }
    return NatDetection.natHop(response, from, edge.natTests(), false);
  }

  // --- branches -------------------------------------------------------------------------------

  void start() {
    proxy.events().requestRouted(this);
    if (action.parallel()) {
      while (nextTarget < action.targets().size() && !finalSent) {
        startTarget(action.targets().get(nextTarget++));
      }
    } else {
      startNextTarget();
    }
    finishIfDone();
  }

  private void startNextTarget() {
    if (nextTarget < action.targets().size()) {
      if (nextTarget > 0) {
        // Serial failover is progress: the server transaction's last-resort timer starts over.
        server.restartFallback();
      }
      startTarget(action.targets().get(nextTarget++));
    }
  }

  private void startTarget(Target t) {
    Branch b = new Branch(t);
    branches.add(b);
    if (t.hop() != null) {
      b.hops = List.of(t.hop());
      tryHop(b);
      return;
    }
    b.resolving = true;
    proxy.resolver().resolve(t.where(), loop, (hops, problem) -> resolved(b, hops, problem));
  }

  /** The target's hops are known (at once, or later on this loop). */
  private void resolved(Branch b, List<Hop> hops, String problem) {
    b.resolving = false;
    if (finalSent || cancelled) {
      b.done = true;
      finishIfDone();
      return;
    }
    if (hops.isEmpty()) {
      // RFC 3261 section 8.1.3.1: no address to send to is a transport failure, a 503 branch.
      proxy.unresolvable(b.target, problem);
      b.hops = List.of();
      b.unresolved = true;
      branchFailed(b, 503);
      return;
    }
    b.hops = hops;
    tryHop(b);
  }

  /** Sends to the branch's next hop; a hop that cannot be sent to counts as a 503. */
  private void tryHop(Branch b) {
    while (b.nextHop < b.hops.size()) {
      Hop hop = b.hops.get(b.nextHop++);
      ProxyRequest r = request;
      if (r == null) {
        break;
      }
      ClientTransaction tx =
          proxy.forwarding().send(r, hop, proxy.branches().next(r.loopHash), this, b.target);
      if (tx != null) {
        b.tx = tx;
        tx.attach(b);
        if (!b.started) {
          b.started = true;
          proxy.events().branchStarted(this, b.target);
        }
        return;
      }
    }
    branchFailed(b, 503);
  }

  @Override
  public void onResponse(ClientTransaction tx, SipMessage response) {
    int code = response.status();
    if (code == 100) {
      return; // section 16.7 step 5: 100 is never forwarded
    }
    Branch b = tx.attachment() instanceof Branch x ? x : null;
    Target target = b == null ? null : b.target;
    if (code < 200) {
      if (!finalSent) {
        deliver(new ProxyResponse(this, response, target, tx.flow(), code));
      }
      return;
    }
    if (code < 300) {
      if (b != null && !b.done) {
        b.done = true;
        b.lastStatus = code;
        proxy.events().branchEnded(this, target, code);
      }
      if (method == SipMethod.INVITE) {
        if (calleeNat == null) {
          calleeNat = responderNatHop(response, tx.flow());
        }
        proxy.calls().answered(this, target);
      }
      // Section 16.7 step 5: every 2xx goes upstream at once (retransmissions and other forks
      // included); the other branches are cancelled.
      boolean first = !finalSent;
      finalSent = true;
      request = null; // no branch starts after a final: let the request go
      deliver(new ProxyResponse(this, response, target, tx.flow(), code));
      if (first) {
        cancelPending();
        endOfTransaction(code);
        release();
      }
      return;
    }
    if (b == null || b.done) {
      return; // a retransmitted final of a branch already counted
    }
    if (finalSent) {
      // A cancelled fork's 487, a late final: counted, nothing more to decide.
      b.done = true;
      proxy.events().branchEnded(this, target, code);
      return;
    }
    if (code == 401 || code == 407) {
      collectChallenges(response);
    }
    b.lastStatus = code;
    if (failsOverToNextHop(b, code)) {
      return;
    }
    b.done = true;
    proxy.events().branchEnded(this, target, code);
    consider(response, code, target, tx.flow());
    if (code >= 600) {
      cancelled = true; // section 16.7 step 5: no new branches after a 6xx
      cancelPending();
    }
    if (!action.parallel() && !cancelled && !finalSent && hasMoreTargets()) {
      if (action.failover().failsOver(code)) {
        startNextTarget();
      } else {
        // A final that is no reason to fail over (486 Busy...) ends the serial search: the
        // caller gets it rather than a call to the next destination.
        nextTarget = action.targets().size();
      }
    }
    finishIfDone();
  }

  /**
   * RFC 3263 section 4.3: a 503 from one of a target's hops (or a timeout, or a transport error)
   * moves on to its next hop, within the same transaction.
   */
  private boolean failsOverToNextHop(Branch b, int code) {
    if ((code != 503 && code != 408) || b.hops == null || b.nextHop >= b.hops.size()) {
      return false;
    }
    if (finalSent || cancelled || request == null) {
      return false;
    }
    // Moving on to the next hop is progress, as serial failover is: the server transaction's
    // last-resort timer starts over (a silent first hop took a whole timer B).
    server.restartFallback();
    tryHop(b);
    return true;
  }

  @Override
  public void onTimeout(ClientTransaction tx) {
    if (tx.attachment() instanceof Branch b && !b.done) {
      branchFailed(b, 408);
    }
  }

  @Override
  public void onTransportError(ClientTransaction tx) {
    if (tx.attachment() instanceof Branch b && !b.done) {
      branchFailed(b, 503);
    }
  }

  /** A branch failed without a response to forward (timeout, transport, nothing resolved). */
  private void branchFailed(Branch b, int code) {
    b.lastStatus = code;
    if (finalSent) {
      b.done = true;
      proxy.events().branchEnded(this, b.target, code);
      return;
    }
    if (failsOverToNextHop(b, code)) {
      return;
    }
    b.done = true;
    proxy.events().branchEnded(this, b.target, code);
    consider(null, code, b.target, null, b.unresolved);
    if (!action.parallel() && !cancelled && !finalSent && hasMoreTargets()) {
      startNextTarget();
    }
    finishIfDone();
  }

  private boolean hasMoreTargets() {
    return nextTarget < action.targets().size();
  }

  /** Section 16.7 step 6: a 6xx wins; else the lowest class; 503 becomes 500 when forwarded. */
  private void consider(
      SipMessage response, int code, Target target, io.sbc.runtime.sip.transport.Flow from) {
    consider(response, code, target, from, false);
  }

  private void consider(
      SipMessage response,
      int code,
      Target target,
      io.sbc.runtime.sip.transport.Flow from,
      boolean unresolved) {
    if (bestStatus == 0 || (bestStatus < 600 && (code >= 600 || code / 100 < bestStatus / 100))) {
      best = response;
      bestStatus = code;
      bestTarget = target;
      bestFlow = from;
      bestUnresolved = unresolved;
    }
  }

  private boolean pending() {
    for (Branch b : branches) {
      if (b.resolving || (!b.done && b.tx != null && b.tx.isPending())) {
        return true;
      }
    }
    return false;
  }

  private void finishIfDone() {
    if (finalSent || pending()) {
      return;
    }
    if (!cancelled && hasMoreTargets()) {
      return;
    }
    finalSent = true;
    if (bestStatus == 0) {
      bestStatus = cancelled ? 487 : 408;
    }
    int code = bestStatus;
    if (best == null) {
      code = code == 503 ? 500 : code;
      if (code == 408 && method != SipMethod.INVITE) {
        // RFC 4320 section 4.2: a transaction-stateful element never answers a non-INVITE with
        // 408; the client's own timer F ends its transaction.
        server.terminate();
      } else {
        deliverLocal(
            code,
            code == 500 && bestUnresolved
                ? Responses.NEXT_HOP_NOT_RESOLVED
                : Responses.reason(code));
      }
    } else {
      deliver(new ProxyResponse(this, best, bestTarget, bestFlow, code));
      best = null;
    }
    request = null;
    endOfTransaction(code);
    release();
  }

  /**
   * The final response went upstream: what only routing and failover needed goes, so that a context
   * lingering with its client transactions (timer M, 32 s) holds little.
   */
  private void release() {
    action = null;
    best = null;
    challenges = null;
    for (Branch b : branches) {
      b.hops = null;
    }
  }

  /** The final status went upstream: a call that never started ends here; a BYE ends its call. */
  private void endOfTransaction(int code) {
    if (code >= 300 && media != null) {
      media.transactionFailed(code);
    }
    if (method == SipMethod.INVITE && code >= 300) {
      proxy
          .events()
          .callEnded(
              this,
              null,
              cancelled && code == 487
                  ? CallEvents.EndReason.CANCELLED
                  : CallEvents.EndReason.FAILED,
              code);
    } else if (method == SipMethod.BYE && (code < 300 || code == 481 || code == 408)) {
      // The BYE counts when it succeeds (or the other side says it has no such call).
      proxy
          .calls()
          .ended(callId, CallEvents.EndReason.BYE, code, media == null ? null : media.counters());
    }
  }

  /** A final response this proxy builds from the request (nothing usable came from downstream). */
  private void deliverLocal(int code, String reason) {
    SipMessage req = server.request();
    if (req == null) {
      return;
    }
    byte[] bytes = Responses.build(req, code, reason, proxy.branches().toTag(req), null);
    if (inStages == null && (queue == null || queue.isEmpty())) {
      server.sendResponse(code, bytes);
    } else {
      enqueue(new LocalResponse(code, bytes));
    }
  }

  private record LocalResponse(int code, byte[] bytes) {}

  // --- the response stages --------------------------------------------------------------------

  private void deliver(ProxyResponse r) {
    if (inStages != null || (queue != null && !queue.isEmpty())) {
      enqueue(r);
      return;
    }
    runStages(r);
  }

  private void enqueue(Object o) {
    if (queue == null) {
      queue = new ArrayDeque<>(4);
    }
    queue.add(o);
  }

  private void runStages(ProxyResponse r) {
    ResponseStage[] stages = proxy.responseStages();
    while (r.stage < stages.length) {
      Outcome o;
      try {
        o = stages[r.stage].process(r);
      } catch (RuntimeException e) {
        proxy.stageFailed(stages[r.stage].name(), e);
        o = Outcome.CONTINUE;
      }
      if (o == Outcome.PAUSE) {
        inStages = r;
        return;
      }
      if (o == Outcome.STOP) {
        drain();
        return;
      }
      r.stage++;
    }
    sendUpstream(r);
    drain();
  }

  void responseResumed(ProxyResponse r) {
    if (inStages != r || !r.endPause()) {
      return;
    }
    inStages = null;
    r.stage++;
    runStages(r);
  }

  void responsePauseExpired(ProxyResponse r) {
    if (inStages != r || !r.pauseExpiredNow()) {
      return;
    }
    proxy.responseStages()[r.stage].timedOut(r);
    inStages = null;
    r.stage++;
    runStages(r);
  }

  private void drain() {
    while (inStages == null && queue != null && !queue.isEmpty()) {
      Object next = queue.poll();
      if (next instanceof LocalResponse l) {
        server.sendResponse(l.code(), l.bytes());
      } else {
        runStages((ProxyResponse) next);
        return; // runStages drains what follows
      }
    }
  }

  /**
   * Section 16.7 steps 3 and 9: our Via goes; a 503 goes as 500 (step 6: a 503 from downstream
   * would make upstream stop using this proxy); a 401/407 carries every challenge (step 7).
   */
  private void sendUpstream(ProxyResponse r) {
    SipMessage m = r.message;
    MessageEditor e = r.edits;
    int code = r.status;
    if (hidden && origin != null && !m.vias().isEmpty()) {
      // Topology hiding: the response carries our Via only; the sender's come back.
      int first = -1;
      int last = -1;
      for (int i = 0; i < m.vias().size(); i++) {
        int h = m.viaHeaderIndex(i);
        if (h == last) {
          continue;
        }
        last = h;
        if (first < 0) {
          first = m.headerLineStart(h);
        }
        e.delete(m.headerLineStart(h), m.headerLineEnd(h));
      }
      e.insert(first, origin.vias());
      finishUpstream(r, m, e, code);
      return;
    }
    if (m.vias().size() < 2) {
      // The callee's response carries our Via only (a broken peer dropped the others): the caller
      // still gets its answer, built from what the server transaction knows (Kamailio's tm does
      // the same).
      SipMessage req = server.request();
      if (req != null) {
        int c = code == 503 ? 500 : code;
        String tag = m.toTag() != null ? m.toTag() : proxy.branches().toTag(req);
        server.sendResponse(c, Responses.build(req, c, Responses.reason(c), tag, null));
      }
      return;
    }
    int h0 = m.viaHeaderIndex(0);
    if (m.viaHeaderIndex(1) == h0) {
      e.delete(m.vias().get(0).start(), m.vias().get(1).start());
    } else {
      e.delete(m.headerLineStart(h0), m.headerLineEnd(h0));
    }
    finishUpstream(r, m, e, code);
  }

  private void finishUpstream(ProxyResponse r, SipMessage m, MessageEditor e, int code) {
    if (code == 503) {
      e.replace(0, m.startLineEnd(), "SIP/2.0 500 Server Internal Error\r\n");
      code = 500;
    }
    if ((code == 401 || code == 407) && challenges != null) {
      addOtherChallenges(m, e);
    }
    server.sendResponse(code, e.apply());
  }

  private void collectChallenges(SipMessage response) {
    for (int i = 0; i < response.headerCount(); i++) {
      byte c = response.headerCode(i);
      if (c == HeaderName.WWW_AUTHENTICATE || c == HeaderName.PROXY_AUTHENTICATE) {
        if (challenges == null) {
          challenges = new ArrayList<>(4);
        }
        challenges.add(
            java.util.Arrays.copyOfRange(
                response.bytes(), response.headerLineStart(i), response.headerLineEnd(i)));
      }
    }
  }

  /** Adds the challenges of the other 401/407 branches that the chosen response lacks. */
  private void addOtherChallenges(SipMessage m, MessageEditor e) {
    for (byte[] line : challenges) {
      if (!hasLine(m, line)) {
        e.insert(m.headersEnd(), line);
      }
    }
  }

  private static boolean hasLine(SipMessage m, byte[] line) {
    for (int i = 0; i < m.headerCount(); i++) {
      int s = m.headerLineStart(i);
      if (m.headerLineEnd(i) - s == line.length
          && java.util.Arrays.equals(m.bytes(), s, s + line.length, line, 0, line.length)) {
        return true;
      }
    }
    return false;
  }

  // --- CANCEL ---------------------------------------------------------------------------------

  /** CANCEL from upstream (section 16.10): no new branches; pending ones are cancelled. */
  void cancel() {
    if (finalSent) {
      return;
    }
    cancelled = true;
    cancelPending();
    for (Branch b : branches) {
      if (b.resolving) {
        // Nothing was sent yet: the branch ends now rather than when DNS answers (its answer is
        // then ignored), so the caller's 487 does not wait for a name server.
        b.resolving = false;
        b.done = true;
      }
    }
    finishIfDone();
  }

  /**
   * The server transaction gave up waiting (its fallback timer) and answered 500 itself: nothing
   * more goes upstream, the branches are cancelled.
   */
  @Override
  public void onFallback(ServerTransaction tx) {
    if (!finalSent && media != null) {
      media.transactionFailed(500);
    }
    finalSent = true;
    request = null;
    cancelPending();
    release();
  }

  private void cancelPending() {
    for (Branch b : branches) {
      if (b.tx != null && b.tx.isPending()) {
        b.tx.cancel();
      }
    }
  }
}
