package io.sbc.runtime.sip.transaction;

import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.timer.Timeout;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Loop;

/**
 * An INVITE or non-INVITE client transaction (RFC 3261 sections 17.1.1 and 17.1.2, with the
 * Accepted state of RFC 6026): retransmits the request (timers A and E), gives up after timers B
 * and F, ACKs non-2xx finals hop by hop, and sends CANCEL once a provisional response has come
 * (section 9.1). Timer C of a proxy (section 16.6 step 11) runs here too.
 *
 * <p>Owned by one loop: every method runs on {@link #loop()}.
 */
public final class ClientTransaction {
  /** States of figures 5 and 6 of RFC 3261, plus Accepted from RFC 6026. */
  public enum State {
    CALLING,
    TRYING,
    PROCEEDING,
    ACCEPTED,
    COMPLETED,
    TERMINATED
  }

  /** What the transaction tells its user, on the owning loop. */
  public interface Owner {
    /** A response for the user: provisional, final, or a 2xx retransmission (RFC 6026). */
    void onResponse(ClientTransaction tx, SipMessage response);

    /** Timer B or F fired, or timer C on a branch that never answered: act as on a 408. */
    void onTimeout(ClientTransaction tx);

    /** The transport could not deliver the request: act as on a 503 (section 16.7). */
    void onTransportError(ClientTransaction tx);
  }

  private final TransactionLayer layer;
  private final Loop loop;
  private final String branch;
  private final boolean invite;
  private final Flow flow;
  private byte[] request;
  private final Owner owner;
  private State state;
  private Timeout retransmit;
  private Timeout timeout;
  private Timeout timerC;
  private long interval;
  private int status;
  private boolean cancelWanted;
  private ClientTransaction cancel;
  private Object attachment;

  ClientTransaction(
      TransactionLayer layer,
      Loop loop,
      String branch,
      boolean invite,
      Flow flow,
      byte[] request,
      Owner owner) {
    this.layer = layer;
    this.loop = loop;
    this.branch = branch;
    this.invite = invite;
    this.flow = flow;
    this.request = request;
    this.owner = owner;
    this.state = invite ? State.CALLING : State.TRYING;
  }

  public Loop loop() {
    return loop;
  }

  public String branch() {
    return branch;
  }

  public boolean isInvite() {
    return invite;
  }

  public Flow flow() {
    return flow;
  }

  /** The request as sent; null once only the absorbing of retransmissions is left. */
  public byte[] request() {
    return request;
  }

  public State state() {
    return state;
  }

  /** The highest status received so far (0 before any response). */
  public int status() {
    return status;
  }

  /** The CANCEL transaction sent for this INVITE, if any. */
  public ClientTransaction cancelTransaction() {
    return cancel;
  }

  public Object attachment() {
    return attachment;
  }

  public void attach(Object o) {
    this.attachment = o;
  }

  /** Whether no final response has come yet. */
  public boolean isPending() {
    return state == State.CALLING || state == State.TRYING || state == State.PROCEEDING;
  }

  void start() {
    layer.sender().send(loop, flow, request, this::transportError);
    if (state == State.TERMINATED) {
      return; // the transport failed at once: no timers for a transaction already gone
    }
    TimerSettings t = layer.timers();
    if (!flow.reliable()) {
      interval = t.t1();
      retransmit = loop.timers().schedule(this::retransmitTimer, interval);
    }
    timeout = loop.timers().schedule(this::timeoutTimer, t.timeout());
    if (invite) {
      timerC = loop.timers().schedule(this::timerC, t.timerC());
    }
  }

  private void retransmitTimer() {
    if (!isPending()) {
      return;
    }
    layer.sender().send(loop, flow, request, null);
    // Timer A doubles without bound; timer E doubles up to T2, and stays at T2 once proceeding.
    TimerSettings t = layer.timers();
    if (invite) {
      interval = 2 * interval;
    } else {
      interval = state == State.PROCEEDING ? t.t2() : Math.min(2 * interval, t.t2());
    }
    retransmit = loop.timers().schedule(this::retransmitTimer, interval);
  }

  private void timeoutTimer() {
    if (!isPending() || (invite && state == State.PROCEEDING)) {
      return; // timer B only applies while Calling; timer C guards Proceeding
    }
    terminate();
    owner.onTimeout(this);
  }

  private void timerC() {
    if (!isPending()) {
      return;
    }
    if (state == State.PROCEEDING) {
      // Section 16.8: timer C with a provisional response: CANCEL the branch, and give the
      // downstream element 64*T1 more to answer it before treating the branch as timed out.
      cancel();
      timeout = loop.timers().schedule(this::forceTimeout, layer.timers().timeout());
    } else {
      forceTimeout();
    }
  }

  private void forceTimeout() {
    if (isPending()) {
      terminate();
      owner.onTimeout(this);
    }
  }

  private void transportError() {
    if (isPending()) {
      terminate();
      owner.onTransportError(this);
    }
  }

  /** A response whose top Via branch is ours. */
  public void onResponse(SipMessage response) {
    int code = response.status();
    if (code < 200) {
      if (!isPending()) {
        return;
      }
      state = State.PROCEEDING;
      status = Math.max(status, code);
      if (invite && retransmit != null) {
        retransmit.cancel(); // section 17.1.1.2: a provisional stops timer A
        retransmit = null;
      }
      if (invite && code > 100 && timerC != null) {
        // Section 16.7 step 2: provisional responses other than 100 restart timer C.
        timerC.cancel();
        timerC = loop.timers().schedule(this::timerC, layer.timers().timerC());
      }
      if (cancelWanted && cancel == null) {
        sendCancel();
      }
      owner.onResponse(this, response);
      return;
    }
    if (state == State.ACCEPTED) {
      if (code < 300) {
        owner.onResponse(this, response); // RFC 6026: 2xx retransmissions go to the user
      }
      return;
    }
    if (state == State.COMPLETED) {
      if (invite) {
        layer.sender().send(loop, flow, RequestBuilder.ack(request, response), null);
      }
      return; // retransmitted final, absorbed
    }
    if (state == State.TERMINATED) {
      return;
    }
    status = code;
    cancelTimers();
    TimerSettings t = layer.timers();
    if (invite && code < 300) {
      state = State.ACCEPTED;
      request = null; // only 2xx retransmissions are left to pass up
      cancel = null;
      timeout = loop.timers().schedule(this::terminate, t.timeout()); // timer M
    } else if (invite) {
      state = State.COMPLETED;
      // Section 17.1.1.3: the ACK for a non-2xx final is part of this transaction.
      layer.sender().send(loop, flow, RequestBuilder.ack(request, response), null);
      timeout = loop.timers().schedule(this::terminate, flow.reliable() ? 0 : 32_000); // D
    } else {
      state = State.COMPLETED;
      request = null; // retransmitted finals are absorbed without it
      timeout = loop.timers().schedule(this::terminate, flow.reliable() ? 0 : t.t4()); // K
    }
    owner.onResponse(this, response);
  }

  /**
   * Cancels a pending INVITE branch (section 9.1): at once after a provisional response, or as soon
   * as one arrives.
   */
  public void cancel() {
    if (!invite || !isPending() || cancelWanted) {
      return;
    }
    cancelWanted = true;
    if (state == State.PROCEEDING) {
      sendCancel();
    }
  }

  private void sendCancel() {
    cancel = layer.startCancel(this, RequestBuilder.cancel(request));
  }

  private void cancelTimers() {
    if (retransmit != null) {
      retransmit.cancel();
      retransmit = null;
    }
    if (timeout != null) {
      timeout.cancel();
      timeout = null;
    }
    if (timerC != null) {
      timerC.cancel();
      timerC = null;
    }
  }

  /** Ends the transaction and forgets it. */
  public void terminate() {
    if (state == State.TERMINATED) {
      return;
    }
    state = State.TERMINATED;
    cancelTimers();
    layer.remove(this);
  }
}
