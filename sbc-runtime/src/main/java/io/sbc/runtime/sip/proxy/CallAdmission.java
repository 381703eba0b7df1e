package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.timer.Clock;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Call admission control (Kamailio's dialog profiles): per routing rule, the calls in progress and
 * the new calls per second; and the calls this replica carries, for draining. Every new INVITE
 * routed statefully takes a slot (of its rule, when the rule has limits), or is refused; the slot
 * is given back by the call events, when the INVITE fails or is cancelled, when its BYE is
 * answered, or when the call is forgotten after the longest call allowed; {@link #sweep} gives back
 * what no event did (an INVITE whose transaction ended without a final). Counts are this replica's.
 * While draining, every new INVITE is refused.
 *
 * <p>Thread safe: calls start and end on any loop. Counts are kept by rule name and survive a
 * reload; the limits are those of the configuration that routed the call.
 */
public final class CallAdmission implements CallEvents {
  /** Why a call was refused. */
  public enum Refusal {
    MAX_CALLS,
    MAX_CALLS_PER_SECOND,
    MAX_CALLS_PER_SOURCE,
    /** The gateway's own limit (this replica's share of spec.callLimits.maxCalls). */
    GATEWAY_MAX_CALLS,
    /** The gateway's new-call rate (this replica's share of spec.callLimits.maxCallsPerSecond). */
    GATEWAY_MAX_CALLS_PER_SECOND,
    /** The process is stopping: calls in progress finish, new ones go elsewhere. */
    DRAINING
  }

  /** One rule's counts. */
  public static final class RuleCounts {
    private final String rule;
    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder admitted = new LongAdder();
    private final LongAdder[] refused = newAdders(Refusal.values().length);

    /** Calls in progress per source address (entries go when they reach 0). */
    private final ConcurrentHashMap<InetAddress, Integer> bySource = new ConcurrentHashMap<>();

    private volatile CallLimit limit;

    /** New-call tokens in thousandths, and when they were last refilled (guarded by this). */
    private long tokens = -1;

    private long refilledAt;

    RuleCounts(String rule, CallLimit limit) {
      this.rule = rule;
      this.limit = limit;
    }

    public String rule() {
      return rule;
    }

    /** Source addresses with calls of this rule in progress now. */
    public int sources() {
      return bySource.size();
    }

    private void releaseSource(InetAddress source) {
      bySource.computeIfPresent(source, (a, n) -> n > 1 ? n - 1 : null);
    }

    /** Calls of this rule in progress now. */
    public int active() {
      return active.get();
    }

    public long admitted() {
      return admitted.sum();
    }

    public long refused(Refusal r) {
      return refused[r.ordinal()].sum();
    }

    /** The limits the last call of this rule was admitted or refused under. */
    public CallLimit limit() {
      return limit;
    }

    /** Takes a new-call token; refills one per 1/maxCallsPerSecond seconds, up to as many. */
    private synchronized boolean takeToken(int perSecond, long now) {
      long cap = perSecond * 1000L;
      if (tokens < 0) {
        tokens = cap;
      } else {
        tokens = Math.min(cap, tokens + Math.max(0, now - refilledAt) * perSecond);
      }
      refilledAt = now;
      if (tokens >= 1000) {
        tokens -= 1000;
        return true;
      }
      return false;
    }
  }

  private static LongAdder[] newAdders(int n) {
    LongAdder[] a = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  /**
   * A call holding a slot: its rule's counts (null when the rule has no limits), its source when
   * counted per source, when its INVITE arrived (to tell it from a namesake).
   */
  private static final class Slot {
    final RuleCounts counts;
    final RuleCounts gateway;
    final InetAddress source;
    final long startedAt;
    final long takenAt;
    volatile boolean answered;

    Slot(RuleCounts counts, RuleCounts gateway, InetAddress source, long startedAt, long takenAt) {
      this.counts = counts;
      this.gateway = gateway;
      this.source = source;
      this.startedAt = startedAt;
      this.takenAt = takenAt;
    }

    void release() {
      if (gateway != null) {
        gateway.active.decrementAndGet();
      }
      if (counts != null) {
        counts.active.decrementAndGet();
        if (source != null) {
          counts.releaseSource(source);
        }
      }
    }
  }

  private final Clock clock;
  private final long maxCallMillis;
  private final long maxRingingMillis;
  private final ConcurrentHashMap<String, RuleCounts> byRule = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Slot> byCall = new ConcurrentHashMap<>();
  private final LongAdder refusedDraining = new LongAdder();
  private volatile boolean draining;

  /** The gateway-wide limit's counts (this replica's); its limit is null when there is none. */
  private final RuleCounts gateway = new RuleCounts("", null);

  /**
   * @param maxCallMillis an answered call without a BYE is counted this long at most
   * @param maxRingingMillis a call not answered is counted this long at most (past timer C: its
   *     INVITE transaction must have ended)
   */
  public CallAdmission(Clock clock, long maxCallMillis, long maxRingingMillis) {
    this.clock = clock;
    this.maxCallMillis = maxCallMillis;
    this.maxRingingMillis = maxRingingMillis;
  }

  /**
   * The gateway's own limit on this replica (its share of spec.callLimits), or null for none; read
   * by every new call from now on, counts kept.
   */
  public void gatewayLimit(CallLimit limit) {
    gateway.limit = limit;
  }

  /** The gateway-wide counts of this replica: calls admitted under the gateway limit, refusals. */
  public RuleCounts gateway() {
    return gateway;
  }

  /** From now on every new INVITE is refused (503 with Retry-After); calls in progress go on. */
  public void drain() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  /** New INVITEs refused while draining. */
  public long refusedDraining() {
    return refusedDraining.sum();
  }

  /**
   * Admits a new call of {@code rule} under {@code limit} (null: no limit), taking a slot, or says
   * why not. An INVITE with the Call-ID of a call that holds a slot is that call (a second copy, a
   * loop), and takes nothing more.
   */
  Refusal admit(String callId, long startedAt, String rule, CallLimit limit, InetAddress source) {
    if (draining) {
      refusedDraining.increment();
      return Refusal.DRAINING;
    }
    if (callId == null || byCall.containsKey(callId)) {
      return null;
    }
    CallLimit g = gateway.limit;
    RuleCounts gc = null;
    if (g != null) {
      Refusal over =
          take(gateway, g, Refusal.GATEWAY_MAX_CALLS, Refusal.GATEWAY_MAX_CALLS_PER_SECOND);
      if (over != null) {
        return over;
      }
      gc = gateway;
    }
    if (limit == null) {
      Slot free = new Slot(null, gc, null, startedAt, clock.millis());
      if (byCall.putIfAbsent(callId, free) != null) {
        free.release();
      }
      return null;
    }
    RuleCounts c = byRule.computeIfAbsent(rule, r -> new RuleCounts(r, limit));
    c.limit = limit;
    if (limit.maxCalls() > 0 && c.active.incrementAndGet() > limit.maxCalls()) {
      c.active.decrementAndGet();
      c.refused[Refusal.MAX_CALLS.ordinal()].increment();
      return giveBack(gc, Refusal.MAX_CALLS);
    }
    InetAddress perSource = limit.maxCallsPerSource() > 0 ? source : null;
    if (perSource != null
        && c.bySource.merge(perSource, 1, Integer::sum) > limit.maxCallsPerSource()) {
      c.releaseSource(perSource);
      if (limit.maxCalls() > 0) {
        c.active.decrementAndGet();
      }
      c.refused[Refusal.MAX_CALLS_PER_SOURCE.ordinal()].increment();
      return giveBack(gc, Refusal.MAX_CALLS_PER_SOURCE);
    }
    if (limit.maxCallsPerSecond() > 0 && !c.takeToken(limit.maxCallsPerSecond(), clock.millis())) {
      if (limit.maxCalls() > 0) {
        c.active.decrementAndGet();
      }
      if (perSource != null) {
        c.releaseSource(perSource);
      }
      c.refused[Refusal.MAX_CALLS_PER_SECOND.ordinal()].increment();
      return giveBack(gc, Refusal.MAX_CALLS_PER_SECOND);
    }
    if (limit.maxCalls() == 0) {
      c.active.incrementAndGet(); // counted all the same, for status and metrics
    }
    c.admitted.increment();
    Slot mine = new Slot(c, gc, perSource, startedAt, clock.millis());
    if (byCall.putIfAbsent(callId, mine) != null) {
      mine.release(); // the same Call-ID admitted at once on another loop
    }
    return null;
  }

  /**
   * Takes a slot of {@code c} under {@code limit} (calls at once, then the new-call rate), or
   * returns the refusal, counted. A slot taken is counted in {@code c.active} and admitted.
   */
  private Refusal take(RuleCounts c, CallLimit limit, Refusal overCalls, Refusal overRate) {
    if (limit.maxCalls() > 0 && c.active.incrementAndGet() > limit.maxCalls()) {
      c.active.decrementAndGet();
      c.refused[overCalls.ordinal()].increment();
      return overCalls;
    }
    if (limit.maxCallsPerSecond() > 0 && !c.takeToken(limit.maxCallsPerSecond(), clock.millis())) {
      if (limit.maxCalls() > 0) {
        c.active.decrementAndGet();
      }
      c.refused[overRate.ordinal()].increment();
      return overRate;
    }
    if (limit.maxCalls() == 0) {
      c.active.incrementAndGet();
    }
    c.admitted.increment();
    return null;
  }

  /** A rule refused a call the gateway had admitted: the gateway's slot goes back. */
  private static Refusal giveBack(RuleCounts gateway, Refusal why) {
    if (gateway != null) {
      gateway.active.decrementAndGet();
      gateway.admitted.decrement();
    }
    return why;
  }

  @Override
  public void callAnswered(Call call, Target target) {
    Slot s = slotOf(call);
    if (s != null) {
      s.answered = true;
    }
  }

  @Override
  public void callEnded(Call call, Target answeredBy, EndReason reason, int status) {
    if (reason == EndReason.REPLACED) {
      return; // a fork answered twice: the Call-ID's call goes on
    }
    Slot s = slotOf(call);
    if (s != null && byCall.remove(call.callId(), s)) {
      s.release();
    }
  }

  /** The slot of this very call (same Call-ID and arrival), or null. */
  private Slot slotOf(Call call) {
    String id = call.callId();
    Slot s = id == null ? null : byCall.get(id);
    return s != null && s.startedAt == call.startedAt() ? s : null;
  }

  /**
   * Gives back the slots no event gave back: calls not answered after the longest ringing, answered
   * ones after the longest call (their end was never seen here). Returns how many.
   */
  public int sweep() {
    long now = clock.millis();
    int n = 0;
    for (Map.Entry<String, Slot> e : byCall.entrySet()) {
      Slot s = e.getValue();
      long age = now - s.takenAt;
      if ((age >= maxCallMillis || (!s.answered && age >= maxRingingMillis))
          && byCall.remove(e.getKey(), s)) {
        s.release();
        n++;
      }
    }
    return n;
  }

  /** Calls in progress now (ringing or answered), every rule together, limited or not. */
  public int active() {
    return byCall.size();
  }

  /** The counts of every rule that has routed a call under limits, by rule name. */
  public List<RuleCounts> rules() {
    List<RuleCounts> l = new ArrayList<>(byRule.values());
    l.sort((a, b) -> a.rule.compareTo(b.rule));
    return l;
  }

  /** The counts of one rule, or null when it has routed no call under limits. */
  public RuleCounts rule(String name) {
    return byRule.get(name);
  }
}
