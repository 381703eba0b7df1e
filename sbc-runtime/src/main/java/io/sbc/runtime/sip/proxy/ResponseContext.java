package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.message.MessageEditor;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.transaction.ClientTransaction;
import io.sbc.runtime.sip.transaction.ServerTransaction;
import java.util.ArrayList;
import java.util.List;

/**
 * The response context of one proxied request (RFC 3261 section 16.7): its branches, serial
 * failover or parallel forking over the targets, the best final response, and CANCEL.
 *
 * <p>Runs on the loop that owns the server transaction; client transactions are created there too.
 */
final class ResponseContext implements ClientTransaction.Owner {
  private final Proxy proxy;
  private final ServerTransaction server;
  private Proxy.Forward fwd;

  /** Kept apart from the request, which is released after the final response. */
  private final String method;

  private final String callId;
  private final RouteAction action;
  private final List<ClientTransaction> branches = new ArrayList<>(2);
  private int nextTarget;
  private boolean cancelled;
  private boolean finalSent;
  private SipMessage best;
  private int bestStatus;

  ResponseContext(Proxy proxy, ServerTransaction server, Proxy.Forward fwd, RouteAction action) {
    this.proxy = proxy;
    this.server = server;
    this.fwd = fwd;
    this.method = fwd.request.method();
    this.callId = fwd.request.callId();
    this.action = action;
  }

  void start() {
    if (action.parallel()) {
      while (nextTarget < action.targets().size()) {
        startNext();
      }
    } else {
      startNext();
    }
    finishIfDone();
  }

  /** Starts the next target; a target that cannot be sent to counts as a 503 branch. */
  private void startNext() {
    while (nextTarget < action.targets().size()) {
      Target t = action.targets().get(nextTarget++);
      ClientTransaction tx =
          proxy.sendRequest(server.loop(), fwd, t, proxy.newBranch(fwd.loopHash), this);
      if (tx != null) {
        tx.attach(t);
        branches.add(tx);
        if (t.feedback() != null) {
          t.feedback().branchStarted(method, callId);
        }
        return;
      }
      if (t.feedback() != null) {
        t.feedback().branchEnded(method, callId, 503);
      }
      consider(null, 503);
      if (action.parallel()) {
        return;
      }
    }
  }

  @Override
  public void onResponse(ClientTransaction tx, SipMessage response) {
    int code = response.status();
    if (code == 100) {
      return; // section 16.7 step 5: 100 is never forwarded
    }
    if (code < 200) {
      if (!finalSent) {
        forward(response, code);
      }
      return;
    }
    feedback(tx, code);
    if (code < 300) {
      // Section 16.7 step 5: every 2xx goes upstream at once; the other branches are cancelled.
      finalSent = true;
      fwd = null; // no branch starts after a final: let the request go
      forward(response, code);
      cancelPending();
      return;
    }
    consider(response, code);
    if (code >= 600) {
      cancelled = true; // section 16.7 step 5: no new branches after a 6xx
      cancelPending();
    }
    if (!action.parallel() && !cancelled && !finalSent && hasMoreTargets()) {
      if (action.failover().failsOver(code)) {
        startNext();
      } else {
        // A final that is no reason to fail over (486 Busy...) ends the serial search: the
        // caller gets it rather than a call to the next destination.
        nextTarget = action.targets().size();
      }
    }
    finishIfDone();
  }

  @Override
  public void onTimeout(ClientTransaction tx) {
    feedback(tx, 408);
    failed(408);
  }

  @Override
  public void onTransportError(ClientTransaction tx) {
    feedback(tx, 503);
    failed(503);
  }

  /** Tells the target's owner how its branch ended (once: the first final of the branch). */
  private void feedback(ClientTransaction tx, int code) {
    if (tx.attachment() instanceof Target t) {
      tx.attach(null);
      if (t.feedback() != null) {
        t.feedback().branchEnded(method, callId, code);
      }
    }
  }

  private void failed(int code) {
    consider(null, code);
    if (!action.parallel() && !cancelled && !finalSent && hasMoreTargets()) {
      startNext();
    }
    finishIfDone();
  }

  private boolean hasMoreTargets() {
    return nextTarget < action.targets().size();
  }

  /** Section 16.7 step 6: a 6xx wins; else the lowest class; 503 becomes 500 when forwarded. */
  private void consider(SipMessage response, int code) {
    if (best == null && bestStatus == 0) {
      best = response;
      bestStatus = code;
      return;
    }
    if (bestStatus >= 600) {
      return;
    }
    if (code >= 600 || code / 100 < bestStatus / 100) {
      best = response;
      bestStatus = code;
    }
  }

  private void finishIfDone() {
    if (finalSent) {
      return;
    }
    for (ClientTransaction b : branches) {
      if (b.isPending()) {
        return;
      }
    }
    if (!cancelled && hasMoreTargets()) {
      return;
    }
    finalSent = true;
    fwd = null;
    if (bestStatus == 0) {
      bestStatus = cancelled ? 487 : 408;
    }
    if (best == null) {
      int code = bestStatus == 503 ? 500 : bestStatus;
      byte[] bytes =
          Responses.build(
              server.request(), code, Responses.reason(code), proxy.toTag(server.request()), null);
      server.sendResponse(code, bytes);
      return;
    }
    forward(best, bestStatus);
    best = null;
  }

  private void forward(SipMessage response, int code) {
    byte[] bytes;
    if (code == 503) {
      // Section 16.7 step 6: a 503 from downstream would make upstream stop using this proxy.
      MessageEditor e = new MessageEditor(response);
      int h0 = response.headerLineStart(response.viaHeaderIndex(0));
      int h1 = response.headerLineEnd(response.viaHeaderIndex(0));
      e.replace(0, response.startLineEnd(), "SIP/2.0 500 Server Internal Error\r\n");
      if (response.viaHeaderIndex(1) == response.viaHeaderIndex(0)) {
        e.delete(response.vias().get(0).start(), response.vias().get(1).start());
      } else {
        e.delete(h0, h1);
      }
      bytes = e.apply();
      code = 500;
    } else {
      bytes = Proxy.stripTopVia(response);
    }
    if (bytes != null) {
      server.sendResponse(code, bytes);
    }
  }

  /** CANCEL from upstream (section 16.10): no new branches; pending ones are cancelled. */
  void cancel() {
    if (finalSent) {
      return;
    }
    cancelled = true;
    cancelPending();
    finishIfDone();
  }

  private void cancelPending() {
    for (ClientTransaction b : branches) {
      if (b.isPending()) {
        b.cancel();
      }
    }
  }
}
