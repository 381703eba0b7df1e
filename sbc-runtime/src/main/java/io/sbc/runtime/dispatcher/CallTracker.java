package io.sbc.runtime.dispatcher;

import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.timer.Timeout;
import io.sbc.runtime.sip.transport.Loop;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The answered calls of dispatcher destinations by Call-ID, so that a BYE passing the proxy ends
 * the call on the destination that answered it.
 *
 * <p>Thread safe: calls start and end on any loop. A call whose BYE never passes (a dialog that did
 * not record-route us, a lost BYE) is forgotten after the maximum call duration by {@link
 * #sweep()}, so that active call counts cannot creep up for ever.
 */
public final class CallTracker {
  /** Longer than any sane call; a leaked entry costs a wrong LeastActive count until then. */
  public static final long DEFAULT_MAX_CALL_MILLIS = 6 * 3600_000L;

  /** How often {@link #startSweeping} looks for expired calls. */
  public static final long SWEEP_INTERVAL_MILLIS = 60_000;

  /** The tracker the dispatchers of the running gateway share; the proxy ends calls here. */
  public static final CallTracker GLOBAL = new CallTracker(Clock.SYSTEM, DEFAULT_MAX_CALL_MILLIS);

  private record Call(Destination destination, long startedAt) {}

  private final Clock clock;
  private final long maxCallMillis;
  private final ConcurrentHashMap<String, Call> calls = new ConcurrentHashMap<>();
  private volatile boolean sweeping;
  private Timeout sweepTimer;

  public CallTracker(Clock clock, long maxCallMillis) {
    this.clock = clock;
    this.maxCallMillis = maxCallMillis;
  }

  /**
   * A BYE for this Call-ID passed: the call ends on the destination that answered it, if a
   * dispatcher destination did. The proxy calls this for every BYE (a map lookup when unknown).
   */
  public static void callEnded(String callId) {
    GLOBAL.end(callId);
  }

  /** Ends a tracked call; returns whether there was one. */
  public boolean end(String callId) {
    if (callId == null) {
      return false;
    }
    Call c = calls.remove(callId);
    if (c == null) {
      return false;
    }
    c.destination.callGone();
    return true;
  }

  /** Ends the call only if this destination answered it (its own TargetFeedback.callEnded). */
  boolean end(String callId, Destination d) {
    Call c = callId == null ? null : calls.get(callId);
    if (c == null || c.destination != d || !calls.remove(callId, c)) {
      return false;
    }
    d.callGone();
    return true;
  }

  /** An INVITE to {@code d} was answered with a 2xx: the call stays active until it ends. */
  void answered(String callId, Destination d) {
    Call prev = calls.put(callId, new Call(d, clock.millis()));
    if (prev != null) {
      // The same Call-ID answered twice (a second 2xx, or two forks answered): one entry per
      // Call-ID, so the earlier one ends now rather than never.
      prev.destination.callGone();
    }
  }

  /** Calls tracked now. */
  public int size() {
    return calls.size();
  }

  /** Forgets calls older than the maximum call duration; returns how many. */
  public int sweep() {
    long now = clock.millis();
    int n = 0;
    for (Map.Entry<String, Call> e : calls.entrySet()) {
      Call c = e.getValue();
      if (now - c.startedAt >= maxCallMillis && calls.remove(e.getKey(), c)) {
        c.destination.callGone();
        n++;
      }
    }
    return n;
  }

  /** Sweeps every {@link #SWEEP_INTERVAL_MILLIS} on this loop's timer wheel until stopped. */
  public void startSweeping(Loop loop) {
    sweeping = true;
    loop.execute(() -> scheduleSweep(loop));
  }

  /** Stops sweeping (the timer is cancelled on its loop). */
  public void stopSweeping(Loop loop) {
    sweeping = false;
    loop.execute(
        () -> {
          if (sweepTimer != null) {
            sweepTimer.cancel();
            sweepTimer = null;
          }
        });
  }

  private void scheduleSweep(Loop loop) {
    if (!sweeping || (sweepTimer != null && sweepTimer.isPending())) {
      return;
    }
    sweepTimer =
        loop.timers()
            .schedule(
                () -> {
                  sweepTimer = null;
                  sweep();
                  scheduleSweep(loop);
                },
                SWEEP_INTERVAL_MILLIS);
  }
}
