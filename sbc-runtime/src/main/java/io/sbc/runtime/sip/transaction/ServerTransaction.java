package io.sbc.runtime.sip.transaction;

import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.timer.Timeout;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Loop;
import org.jboss.logging.Logger;

/**
 * An INVITE or non-INVITE server transaction (RFC 3261 sections 17.2.1 and 17.2.2): it absorbs
 * request retransmissions by resending the last response, retransmits non-2xx finals to an INVITE
 * until the ACK (timer G, H, I) and lingers after non-INVITE finals (timer J); should its user
 * never send a final, a fallback timer answers 500 for it, so every transaction ends.
 *
 * <p>Owned by one loop: every method runs on {@link #loop()}.
 */
public final class ServerTransaction {
  private static final Logger LOG = Logger.getLogger(ServerTransaction.class);

  /** The status of the fallback's answer, and its reason phrase. */
  static final int FALLBACK_STATUS = 500;

  static final String FALLBACK_REASON = "Server Internal Error";

  /**
   * What the transaction tells its user. An attachment ({@link #attach(Object)}) implementing it is
   * told; any other attachment is simply kept.
   */
  public interface Owner {
    /**
     * The user sent no final response in time: the transaction answered 500 itself (see {@link
     * #restartFallback()}) and is now Completed, taking no further response but 2xx to an INVITE
     * (none can be sent in Completed). The user should stop its work for the request: cancel its
     * pending branches and forget the transaction. Called once, on the owning loop.
     */
    void onFallback(ServerTransaction tx);
  }

  /** States of figures 7 and 8 of RFC 3261. */
  public enum State {
    TRYING,
    PROCEEDING,
    /** RFC 6026: a 2xx went out; retransmitted INVITEs are absorbed, further 2xx pass. */
    ACCEPTED,
    COMPLETED,
    CONFIRMED,
    TERMINATED
  }

  private final TransactionLayer layer;
  private final Loop loop;
  private final String key;
  private SipMessage request;
  private final Flow flow;
  private final boolean invite;
  private State state;
  private byte[] lastResponse;
  private int lastStatus;
  private Timeout retransmit;
  private Timeout timeout;
  private Timeout fallback;
  private long interval;
  private Object attachment;

  ServerTransaction(TransactionLayer layer, Loop loop, String key, SipMessage request, Flow flow) {
    this.layer = layer;
    this.loop = loop;
    this.key = key;
    this.request = request;
    this.flow = flow;
    this.invite = request.method().equals("INVITE");
    this.state = invite ? State.PROCEEDING : State.TRYING;
  }

  public Loop loop() {
    return loop;
  }

  public String key() {
    return key;
  }

  /** The request; null once a final response went out. */
  public SipMessage request() {
    return request;
  }

  public Flow flow() {
    return flow;
  }

  public boolean isInvite() {
    return invite;
  }

  public State state() {
    return state;
  }

  public int lastStatus() {
    return lastStatus;
  }

  /** Whether a final response went out (only further 2xx to an INVITE may follow). */
  public boolean isFinalSent() {
    return lastStatus >= 200;
  }

  /** What the transaction user (the proxy) keeps with it. */
  public Object attachment() {
    return attachment;
  }

  public void attach(Object o) {
    this.attachment = o;
  }

  /**
   * Starts the fallback timer; only once the transaction is in the table (one that lost the race
   * for its key must leave no timer behind).
   */
  void start() {
    fallback = loop.timers().schedule(this::fallback, layer.timers().serverFallback(invite));
  }

  /**
   * Starts the fallback timer again from now. The user calls it when it starts a new branch for the
   * request (serial failover): each branch may take its own timer C and 64*T1 (sections 16.6 step
   * 11, 16.8). A provisional response above 100 to an INVITE restarts it too, as it restarts timer
   * C (section 16.7 step 2). Does nothing once a final went out.
   */
  public void restartFallback() {
    if (state != State.TRYING && state != State.PROCEEDING) {
      return;
    }
    if (fallback != null) {
      fallback.cancel();
    }
    fallback = loop.timers().schedule(this::fallback, layer.timers().serverFallback(invite));
  }

  /**
   * The user sent no final in time. RFC 3261 says every server transaction ends (sections 17.2.1,
   * 17.2.2) and a stateful proxy owes the client a final; the answer is 500 Server Internal Error
   * (section 21.5.1: "an unexpected condition that prevented it from fulfilling the request"),
   * which is what happened, rather than 408: RFC 4320 section 4.2 forbids a transaction-stateful
   * element to send 408 to a non-INVITE request, and a 408 would blame the next hop for a fault of
   * this one. The transaction then goes through Completed like any final (timers G, H, J), so the
   * 500 is retransmitted over UDP and its ACK absorbed.
   */
  private void fallback() {
    fallback = null;
    if (state != State.TRYING && state != State.PROCEEDING) {
      return;
    }
    SipMessage req = request;
    Object owner = attachment;
    layer.countFallback();
    LOG.warnf(
        "%s from %s (Call-ID %s): no final response from the proxy within %d ms, answered %d",
        req.method(),
        flow.remote(),
        req.callId(),
        layer.timers().serverFallback(invite),
        FALLBACK_STATUS);
    sendResponse(
        FALLBACK_STATUS,
        ResponseBuilder.build(req, FALLBACK_STATUS, FALLBACK_REASON, layer.toTag(key)));
    if (owner instanceof Owner o) {
      o.onFallback(this);
    }
  }

  /** Sends a response built by the transaction user, moving the state machine. */
  public void sendResponse(int status, byte[] bytes) {
    if (state == State.ACCEPTED && status >= 200 && status < 300) {
      // RFC 6026 section 7.1: 2xx from other branches or retransmitted by the UAS still go out.
      layer.sender().send(loop, flow, bytes, null);
      return;
    }
    if (state == State.TERMINATED
        || state == State.COMPLETED
        || state == State.CONFIRMED
        || state == State.ACCEPTED) {
      return;
    }
    lastResponse = bytes;
    lastStatus = status;
    layer.sender().send(loop, flow, bytes, null);
    if (status >= 200) {
      if (fallback != null) {
        fallback.cancel();
        fallback = null;
      }
      // What lingers after the final (timers H, J, L) needs only the key, the flow and the
      // response: dropping the rest keeps tens of thousands of lingering transactions cheap.
      request = null;
      attachment = null;
      if (invite && status < 300) {
        lastResponse = null;
      }
    }
    TimerSettings t = layer.timers();
    if (status < 200) {
      state = State.PROCEEDING;
      if (invite && status > 100) {
        restartFallback();
      }
    } else if (invite && status < 300) {
      // RFC 6026 section 7.1 (updating 17.2.1): Accepted for timer L, so that a retransmitted
      // INVITE is absorbed instead of being taken for a new request.
      state = State.ACCEPTED;
      timeout = loop.timers().schedule(this::terminate, t.timeout());
    } else if (invite) {
      state = State.COMPLETED;
      if (!flow.reliable()) {
        interval = t.t1();
        retransmit = loop.timers().schedule(this::timerG, interval);
      }
      timeout = loop.timers().schedule(this::timerH, t.timeout());
    } else {
      state = State.COMPLETED;
      // Timer J: 64*T1 on unreliable transports, zero on reliable ones (section 17.2.2).
      if (flow.reliable()) {
        terminate();
      } else {
        timeout = loop.timers().schedule(this::terminate, t.timeout());
      }
    }
  }

  /** A retransmission of the request: resend the last response, if any (section 17.2.1). */
  public void onRetransmission() {
    if (lastResponse != null && (state == State.PROCEEDING || state == State.COMPLETED)) {
      layer.sender().send(loop, flow, lastResponse, null);
    }
  }

  /**
   * An ACK for a non-2xx final: stop retransmitting, absorb later ACKs for timer I.
   *
   * @return false when the ACK is not the transaction's to absorb: in Accepted it acknowledges a
   *     2xx and goes to the TU (RFC 6026 section 7.1, figure 7)
   */
  public boolean onAck() {
    if (state == State.ACCEPTED) {
      return false;
    }
    if (!invite || state != State.COMPLETED) {
      return true;
    }
    state = State.CONFIRMED;
    cancelTimers();
    if (flow.reliable()) {
      terminate();
    } else {
      timeout = loop.timers().schedule(this::terminate, layer.timers().t4());
    }
    return true;
  }

  private void timerG() {
    if (state != State.COMPLETED) {
      return;
    }
    layer.sender().send(loop, flow, lastResponse, null);
    interval = Math.min(2 * interval, layer.timers().t2());
    retransmit = loop.timers().schedule(this::timerG, interval);
  }

  private void timerH() {
    // No ACK came: the transaction ends (section 17.2.1, a transport failure for the TU).
    terminate();
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
    if (fallback != null) {
      fallback.cancel();
      fallback = null;
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
