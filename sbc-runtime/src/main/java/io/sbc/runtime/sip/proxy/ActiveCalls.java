package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.timer.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls this proxy saw answered and not yet ended, by Call-ID: an answered INVITE adds one, a
 * BYE that succeeds ends it, and a call nobody ends is forgotten after the longest call allowed (a
 * dialog whose BYE took another path, a lost BYE), so counts cannot creep up for ever. Each change
 * is told to the {@link CallEvents} subscribers.
 *
 * <p>Thread safe: calls start and end on any loop.
 */
public final class ActiveCalls {
  /** Longer than any sane call; a leaked entry costs a wrong count until then. */
  public static final long DEFAULT_MAX_CALL_MILLIS = 6 * 3600_000L;

  private record Entry(CallEvents.Call call, Target target, long answeredAt) {}

  private final Clock clock;
  private final long maxCallMillis;
  private final CallEvents events;
  private final ConcurrentHashMap<String, Entry> calls = new ConcurrentHashMap<>();

  public ActiveCalls(Clock clock, long maxCallMillis, CallEvents events) {
    this.clock = clock;
    this.maxCallMillis = maxCallMillis;
    this.events = events;
  }

  /** An INVITE was answered 2xx by {@code target} (null when unknown). */
  public void answered(CallEvents.Call call, Target target) {
    String id = call.callId();
    if (id == null) {
      return;
    }
    Entry e = new Entry(call, target, clock.millis());
    Entry prev = calls.put(id, e);
    if (prev != null && prev.target != target) {
      // The same Call-ID answered again by another branch (a forked call answered twice): one
      // entry per Call-ID, so the earlier one ends now rather than never.
      events.callEnded(prev.call, prev.target, CallEvents.EndReason.REPLACED, 200);
    } else if (prev != null) {
      calls.put(id, prev); // a 2xx retransmission or a re-INVITE: the call is the same
      return;
    }
    events.callAnswered(call, target);
  }

  /** The call with this Call-ID ended; returns whether it was known. */
  public boolean ended(String callId, CallEvents.EndReason reason, int status) {
    return ended(callId, reason, status, null);
  }

  /**
   * The call with this Call-ID ended, with what RTPengine relayed for it (null: nothing known);
   * returns whether it was known.
   */
  public boolean ended(
      String callId, CallEvents.EndReason reason, int status, CallEvents.MediaCounters media) {
    Entry e = callId == null ? null : calls.remove(callId);
    if (e == null) {
      return false;
    }
    events.callEnded(
        media == null ? e.call : new WithMedia(e.call, media), e.target, reason, status);
    return true;
  }

  /**
   * The call as it was answered, with the media counters its end brought (what else subscribers ask
   * of the call, its NAT peers, passed through).
   */
  private record WithMedia(CallEvents.Call call, CallEvents.MediaCounters mediaCounters)
      implements CallEvents.Call, NatKeepalive.NatPeers {
    @Override
    public java.util.List<io.sbc.runtime.sip.locate.UriTarget> natPeers() {
      return call instanceof NatKeepalive.NatPeers n ? n.natPeers() : java.util.List.of();
    }

    @Override
    public int keepaliveSeconds() {
      return call instanceof NatKeepalive.NatPeers n ? n.keepaliveSeconds() : 0;
    }

    @Override
    public String callId() {
      return call.callId();
    }

    @Override
    public String method() {
      return call.method();
    }

    @Override
    public String rule() {
      return call.rule();
    }

    @Override
    public long startedAt() {
      return call.startedAt();
    }
  }

  /** Calls up now. */
  public int size() {
    return calls.size();
  }

  /** Forgets calls older than the longest call allowed; returns how many. */
  public int sweep() {
    long now = clock.millis();
    int n = 0;
    for (Map.Entry<String, Entry> me : calls.entrySet()) {
      Entry e = me.getValue();
      if (now - e.answeredAt >= maxCallMillis && calls.remove(me.getKey(), e)) {
        events.callEnded(e.call, e.target, CallEvents.EndReason.EXPIRED, 0);
        n++;
      }
    }
    return n;
  }
}
