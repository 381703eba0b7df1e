package io.sbc.runtime.sip.proxy;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the call events say, for metrics: requests routed, calls answered and ended by
 * reason, branch outcomes by status class. Monotonic counters only; nothing kept per call.
 */
public final class CallCounters implements CallEvents {
  public final LongAdder routed = new LongAdder();
  public final LongAdder branches = new LongAdder();
  public final LongAdder answered = new LongAdder();
  private final LongAdder[] branchEndsByClass = newAdders(7);
  private final LongAdder[] endsByReason = newAdders(EndReason.values().length);
  private final LongAdder[] media = newAdders(6);

  private static LongAdder[] newAdders(int n) {
    LongAdder[] a = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  @Override
  public void requestRouted(Call call) {
    routed.increment();
  }

  @Override
  public void branchStarted(Call call, Target target) {
    branches.increment();
  }

  @Override
  public void branchEnded(Call call, Target target, int status) {
    int c = status / 100;
    if (c >= 1 && c <= 6) {
      branchEndsByClass[c].increment();
    }
  }

  @Override
  public void callAnswered(Call call, Target target) {
    answered.increment();
  }

  @Override
  public void callEnded(Call call, Target answeredBy, EndReason reason, int status) {
    endsByReason[reason.ordinal()].increment();
    MediaCounters m = call.mediaCounters();
    if (m != null) {
      media[0].add(m.fromCallerPackets());
      media[1].add(m.fromCallerBytes());
      media[2].add(m.fromCallerLost());
      media[3].add(m.fromCalleePackets());
      media[4].add(m.fromCalleeBytes());
      media[5].add(m.fromCalleeLost());
    }
  }

  /**
   * What RTPengine relayed for the calls ended by a BYE, from their end events: {@code fromCallee}
   * picks the direction; {@code what} is 0 packets, 1 bytes, 2 lost packets.
   */
  public long media(boolean fromCallee, int what) {
    return media[(fromCallee ? 3 : 0) + what].sum();
  }

  /** Branches that ended with a status of this class (2 for 2xx ... 6 for 6xx). */
  public long branchEnds(int statusClass) {
    return statusClass >= 1 && statusClass <= 6 ? branchEndsByClass[statusClass].sum() : 0;
  }

  public long ended(EndReason reason) {
    return endsByReason[reason.ordinal()].sum();
  }
}
