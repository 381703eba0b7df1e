package io.sbc.runtime.sip.transaction;

import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.timer.Timeout;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Loop;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * An INVITE or non-INVITE client transaction (RFC 3261 sections 17.1.1 and 17.1.2, with the
 * Accepted state of RFC 6026): retransmits the request (timers A and E), gives up after timers B
 * and F, ACKs non-2xx finals hop by hop, and sends CANCEL once a provisional response has come
 * (section 9.1). Timer C of a proxy (section 16.6 step 11) runs here too. It takes only the
 * responses to its own method (section 17.1.3); those to the CANCEL of an INVITE, which shares the
 * INVITE's branch, it hands to the CANCEL transaction.
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
  private final String method;
  private final boolean invite;
  private final Flow flow;
  private byte[] request;

  /** The ACK of a non-2xx final, kept to answer its retransmissions in Completed. */
  private byte[] ack;

  /** Released once only absorbing retransmitted finals is left (Completed). */
  private Owner owner;

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
      String method,
      boolean invite,
      Flow flow,
      byte[] request,
      Owner owner) {
    this.layer = layer;
    this.loop = loop;
    this.branch = branch;
    this.method = method;
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

  /** The method of the request that created the transaction (a shared constant when known). */
  public String method() {
    return method;
  }

  public boolean isInvite() {
    return invite;
  }

  /** The method of a request as written in its request line (CRLFs before it skipped). */
  static String methodOf(byte[] request) {
    int p = 0;
    while (p < request.length && (request[p] == '\r' || request[p] == '\n')) {
      p++;
    }
    int e = p;
    while (e < request.length && request[e] != ' ') {
      e++;
    }
    return SipMethod.of(request, p, e);
  }

  public Flow flow() {
    return flow;
  }

  /** The request as sent; null once a final response came. */
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

  /**
   * Whether a response that arrived from {@code source} may be this transaction's: responses come
   * back the way the request went (RFC 3261 section 18.2.2), so a response from anywhere else is
   * spoofed or misrouted and should be dropped before {@link #onResponse}. UDP: the source IP is
   * the one the request was sent to; the port may differ (a peer may answer from another socket). A
   * stream: a stream as well (a datagram cannot answer a request sent on a connection), over the
   * request's connection or, when the peer replaced it (section 18.2.2 opens a new one to the
   * request's sent-by), from the same IP.
   */
  public boolean isFrom(Flow source) {
    if (source == null || source.protocol() != flow.protocol()) {
      return false;
    }
    if (flow.connection() != null && source.connection() == flow.connection()) {
      return true;
    }
    return sameIp(source.remote(), flow.remote());
  }

  private static boolean sameIp(InetSocketAddress a, InetSocketAddress b) {
    if (a == null || b == null) {
      return false;
    }
    InetAddress x = a.getAddress();
    InetAddress y = b.getAddress();
    if (x == null || y == null) {
      return x == null && y == null && a.getHostString().equalsIgnoreCase(b.getHostString());
    }
    return x.equals(y);
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
    timerC = null;
    if (!isPending()) {
      return;
    }
    if (state == State.PROCEEDING && !cancelWanted) {
      // Section 16.8: timer C with a provisional response: CANCEL the branch, and give the
      // downstream element 64*T1 more to answer it before treating the branch as timed out
      // (scheduled when the CANCEL goes out).
      cancel();
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

  /**
   * A response whose top Via branch is ours. One whose CSeq method is not this transaction's is not
   * its response (section 17.1.3): an INVITE hands those of its CANCEL to the CANCEL transaction,
   * and drops any other.
   */
  public void onResponse(SipMessage response) {
    String cseqMethod = response.cseqMethod();
    if (cseqMethod != method && !method.equals(cseqMethod)) {
      if (invite && cancel != null && SipMethod.CANCEL.equals(cseqMethod)) {
        cancel.onResponse(response);
      }
      return;
    }
    int code = response.status();
    if (code > 699) {
      // Section 21 defines classes 1xx to 6xx only; a status above 699 would otherwise end the
      // branch as a global failure (6xx) and be forwarded upstream as one.
      return;
    }
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
      if (invite && code > 100 && timerC != null && !cancelWanted) {
        // Section 16.7 step 2: provisional responses other than 100 restart timer C; not once the
        // branch is being cancelled, or a peer sending 180s could hold it forever (section 9.1).
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
      if (invite && code >= 300 && ack != null) {
        // Section 17.1.1.2: a retransmitted final is ACKed again. A 2xx here is no retransmission
        // of the final this transaction ACKed, and its ACK is not the transaction's to send.
        layer.sender().send(loop, flow, ack, null);
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
      // Only 2xx retransmissions are left to pass up; a CANCEL still running keeps its link, so
      // that its answer ends it rather than its retransmissions running to timer F.
      request = null;
      timeout = loop.timers().schedule(this::terminate, t.timeout()); // timer M
    } else if (invite) {
      state = State.COMPLETED;
      // Timer D first: should building the ACK fail, the transaction still ends.
      timeout = loop.timers().schedule(this::terminate, flow.reliable() ? 0 : t.timerD());
      // Section 17.1.1.3: the ACK for a non-2xx final is part of this transaction. It is kept for
      // retransmitted finals; the INVITE, possibly large, is let go.
      ack = RequestBuilder.ack(request, response);
      request = null;
      layer.sender().send(loop, flow, ack, null);
    } else {
      state = State.COMPLETED;
      request = null; // retransmitted finals are absorbed without it
      timeout = loop.timers().schedule(this::terminate, flow.reliable() ? 0 : t.t4()); // K
    }
    owner.onResponse(this, response);
    if (state == State.COMPLETED) {
      // Nothing more goes to the user: a lingering transaction keeps only what absorbing
      // retransmissions needs (its user and what it holds are let go for timers D and K).
      owner = null;
      attachment = null;
    }
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
    // Section 9.1: "If no final response has been received after 64*T1 seconds [of the CANCEL],
    // the client SHOULD then consider the original transaction cancelled and SHOULD destroy the
    // client transaction handling the original request." Timer C stops: provisionals no longer
    // extend the branch. Scheduled before sending, so that a failure to send cannot strand it.
    if (timerC != null) {
      timerC.cancel();
      timerC = null;
    }
    if (timeout != null) {
      timeout.cancel(); // timer B, no longer running in Proceeding
    }
    timeout = loop.timers().schedule(this::forceTimeout, layer.timers().timeout());
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
    request = null;
    ack = null;
    layer.remove(this);
  }
}
