package io.sbc.runtime.accounting;

import io.sbc.api.syntax.IpLiteral;
import io.sbc.runtime.persistence.AccountingRecord;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.proxy.CallEvents;
import io.sbc.runtime.sip.proxy.Target;
import io.sbc.runtime.sip.timer.Clock;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Turns the proxy's call events into one accounting record per call: an initial INVITE routed opens
 * one (caller, callee and source read while the proxy still holds the request), the answer adds its
 * time and destination, the end completes it and queues it. An INVITE refused before routing (no
 * route, limits) gets a record at its end; re-INVITEs get none.
 *
 * <p>Runs on the loops (CallEvents' contract): a map insertion per call and one record queued.
 */
public final class CallAccounting implements CallEvents {
  /** What is known of a call between its routing and its end. */
  private static final class Open {
    final String caller;
    final String callee;
    final String source;
    volatile long answeredAt;
    volatile String destination;

    Open(String caller, String callee, String source) {
      this.caller = caller;
      this.callee = callee;
      this.source = source;
    }
  }

  private final String gateway;
  private final String replica;

  /** The proxy's clock ({@link Call#startedAt()} is read on it). */
  private final Clock clock;

  private final AccountingQueue queue;

  /**
   * A call: its Call-ID and the arrival time of its INVITE (a second INVITE with the same Call-ID
   * is another call). The proxy hands over different objects for one call (the request, its
   * response context), so they are not the key.
   */
  private record Key(String callId, long startedAt) {
    static Key of(Call c) {
      return new Key(c.callId(), c.startedAt());
    }
  }

  /** Calls routed and not yet ended. */
  private final ConcurrentHashMap<Key, Open> open = new ConcurrentHashMap<>();

  public CallAccounting(String gateway, String replica, Clock clock, AccountingQueue queue) {
    this.gateway = gateway;
    this.replica = replica;
    this.clock = clock;
    this.queue = queue;
  }

  @Override
  public void requestRouted(Call call) {
    SipMessage m = call.message();
    if (m == null || m.method() != SipMethod.INVITE || m.toTag() != null) {
      return;
    }
    if (call.callId() != null) {
      open.put(Key.of(call), opened(m, call.sourceAddress()));
    }
  }

  @Override
  public void callAnswered(Call call, Target target) {
    Open o = call.callId() == null ? null : open.get(Key.of(call));
    if (o != null) {
      o.destination = target == null ? null : target.toString();
      o.answeredAt = System.currentTimeMillis();
    }
  }

  @Override
  public void callEnded(Call call, Target answeredBy, EndReason reason, int status) {
    if (reason == EndReason.REPLACED) {
      return; // the same call, answered by another branch: its record goes on
    }
    Open o = call.callId() == null ? null : open.remove(Key.of(call));
    if (o == null) {
      // Refused before routing (the proxy's own answer): the request is still at hand.
      SipMessage m = call.message();
      if (m == null || m.method() != SipMethod.INVITE || m.toTag() != null) {
        return;
      }
      o = opened(m, call.sourceAddress());
    }
    long now = System.currentTimeMillis();
    // The proxy's clock is monotonic (only differences mean something): its arrival time becomes
    // wall-clock time through the offset between the two clocks now.
    long startedAt = call.startedAt() + (now - clock.millis());
    AccountingRecord r = new AccountingRecord();
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    // A random (version 4) UUID without SecureRandom's cost on a loop: an id, not a secret.
    r.id =
        new UUID(
            rnd.nextLong() & ~0xF000L | 0x4000L, rnd.nextLong() & 0x3FFFFFFFFFFFFFFFL | 1L << 63);
    r.gateway = gateway;
    r.replica = replica;
    r.callId = call.callId();
    r.startedAt = Instant.ofEpochMilli(startedAt);
    long answered = o.answeredAt;
    r.answeredAt = answered == 0 ? null : Instant.ofEpochMilli(answered);
    r.endedAt = Instant.ofEpochMilli(now);
    r.durationMs = answered == 0 ? 0 : Math.max(0, now - answered);
    r.status = answered != 0 && reason != EndReason.FAILED ? 200 : status;
    r.endReason = reason.name().toLowerCase(java.util.Locale.ROOT);
    r.caller = o.caller;
    r.callee = o.callee;
    r.source = o.source;
    r.route = call.rule();
    String dest = o.destination;
    r.destination = dest != null ? dest : answeredBy == null ? null : answeredBy.toString();
    queue.offer(r);
  }

  /** Calls routed whose end has not come yet. */
  public int openCalls() {
    return open.size();
  }

  private static Open opened(SipMessage m, InetSocketAddress from) {
    NameAddr f = m.from();
    return new Open(
        f == null ? null : userAtHost(f.uri()),
        userAtHost(m.requestUri()),
        from == null ? null : IpLiteral.uriHost(from.getAddress()) + ":" + from.getPort());
  }

  /** user@host of a SIP URI, host alone without a user; null for other schemes. */
  static String userAtHost(SipUri u) {
    if (u == null || u.host() == null) {
      return null;
    }
    String user = u.user();
    return user == null || user.isEmpty() ? u.host() : user + "@" + u.host();
  }
}
