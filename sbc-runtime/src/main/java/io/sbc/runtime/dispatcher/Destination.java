package io.sbc.runtime.dispatcher;

import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.proxy.Target;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jboss.logging.Logger;

/**
 * One destination of a dispatcher: its health, its call count and its counters, fed by the proxy's
 * call events ({@link DispatcherEvents}: its {@link Target} names it as owner) and by OPTIONS
 * probes.
 *
 * <p>Thread safe without locks: the proxy reports from any loop, probes from the dispatcher's probe
 * loop, and selection reads the state from any loop.
 */
public final class Destination {
  private static final Logger LOG = Logger.getLogger(Dispatcher.class);

  private static final int ACTIVE = 1 << DestinationState.ACTIVE.ordinal();
  private static final int PROBING = 1 << DestinationState.PROBING.ordinal();
  private static final int INACTIVE = 1 << DestinationState.INACTIVE.ordinal();

  /** The health as one immutable value, so state and reason always change together. */
  private record Health(DestinationState state, String reason, long changedAt) {}

  private final Dispatcher owner;
  private final Target target;
  private final long seed;
  private final AtomicReference<Health> health =
      new AtomicReference<>(new Health(DestinationState.ACTIVE, "configured", 0));

  private final AtomicInteger activeCalls = new AtomicInteger();

  /** Calls in progress allowed at once (0: no limit), from the latest configuration. */
  private volatile int maxCalls;

  /** New calls that skipped this destination because it was at maxCalls. */
  private final LongAdder skippedFull = new LongAdder();

  private final LongAdder callsStarted = new LongAdder();

  /** Also a generation: a probe sent before the latest call failure cannot vouch for after it. */
  private final AtomicLong callFailures = new AtomicLong();

  private final LongAdder probesSent = new LongAdder();
  private final LongAdder probeFailures = new LongAdder();
  private final LongAdder stateChanges = new LongAdder();
  private final AtomicInteger failuresInRow = new AtomicInteger();
  private final AtomicInteger successesInRow = new AtomicInteger();

  /** The probe awaiting its answer; only touched on the probe loop. */
  Prober.Probe inFlight;

  Destination(Dispatcher owner, Target uriTarget) {
    this.owner = owner;
    // The Target handed to the proxy is built once and shared by every selection.
    this.target = uriTarget.withOwner(this);
    this.seed = Hashing.fmix64(Hashing.fnv1a(uriTarget.uri()));
  }

  /** The target selection hands to the proxy, with this destination as its feedback. */
  public Target target() {
    return target;
  }

  public String uri() {
    return target.uri();
  }

  public DestinationState state() {
    return health.get().state;
  }

  public String reason() {
    return health.get().reason;
  }

  /** Whether selection may choose it. */
  public boolean isActive() {
    return health.get().state == DestinationState.ACTIVE;
  }

  public int activeCalls() {
    return activeCalls.get();
  }

  void maxCalls(int max) {
    this.maxCalls = max;
  }

  public int maxCalls() {
    return maxCalls;
  }

  /**
   * Whether a new call must skip this destination: it carries its maxCalls (counted when the call
   * is routed; a serial failover tried later may find it fuller or emptier). Counted when true.
   */
  boolean full() {
    int max = maxCalls;
    if (max > 0 && activeCalls.get() >= max) {
      skippedFull.increment();
      return true;
    }
    return false;
  }

  /** The rendezvous-hash identity of this destination, derived from its URI only. */
  long seed() {
    return seed;
  }

  DestinationStatus status(int weight, int priority) {
    Health h = health.get();
    return new DestinationStatus(
        owner.name(),
        uri(),
        weight,
        priority,
        h.state,
        h.reason,
        h.changedAt,
        activeCalls.get(),
        callsStarted.sum(),
        callFailures.get(),
        probesSent.sum(),
        probeFailures.sum(),
        stateChanges.sum(),
        maxCalls,
        skippedFull.sum());
  }

  // --- call events (DispatcherEvents) --------------------------------------------------------

  /** A request of this method was sent here. */
  void branchStarted(String method) {
    if (SipMethod.INVITE.equals(method)) {
      activeCalls.incrementAndGet();
      callsStarted.increment();
    }
  }

  /**
   * A branch sent here ended with this final status; 408 for a timeout, 503 when the transport
   * failed. An answered INVITE stays active until {@link #callGone()}.
   */
  void branchEnded(String method, int status) {
    if (SipMethod.INVITE.equals(method) && (status < 200 || status >= 300)) {
      activeCalls.decrementAndGet();
    }
    if (status == 408 || (status >= 500 && status < 600)) {
      callFailed(status);
    }
  }

  /** A call this destination answered ended (its BYE succeeded, or it was forgotten). */
  void callGone() {
    activeCalls.decrementAndGet();
  }

  /**
   * A branch failed (Kamailio's ds_mark_dst): out of selection at once, until a probe sent from now
   * on succeeds. Without probing nothing would bring it back, so then it stays in.
   */
  private void callFailed(int status) {
    callFailures.incrementAndGet();
    if (!owner.probe().enabled()) {
      return;
    }
    successesInRow.set(0);
    String reason =
        status == 408
            ? "timeout in call"
            : status == 503 ? "503 or transport error in call" : status + " in call";
    transition(ACTIVE, DestinationState.PROBING, reason, null);
  }

  // --- probes (on the probe loop) -------------------------------------------------------------

  long callFailureGeneration() {
    return callFailures.get();
  }

  void probeSent() {
    probesSent.increment();
  }

  /**
   * A probe was answered with a code that means alive; {@code generation} is the call failure count
   * when it was sent: a probe overtaken by a call failure proves nothing about after it.
   */
  void probeSucceeded(int code, long generation) {
    failuresInRow.set(0);
    if (generation != callFailures.get()) {
      return;
    }
    int n = successesInRow.incrementAndGet();
    if (n >= owner.probe().successThreshold() && !isActive()) {
      transition(
          PROBING | INACTIVE,
          DestinationState.ACTIVE,
          code + " from probe",
          n + (n == 1 ? " probe" : " probes") + " succeeded");
    }
  }

  /** A probe failed: suspected at once, out after the failure threshold. */
  void probeFailed(String reason) {
    probeFailures.increment();
    successesInRow.set(0);
    int n = failuresInRow.incrementAndGet();
    String detail = n + (n == 1 ? " probe" : " probes") + " failed";
    // Below the threshold a probe failure only counts: one lost OPTIONS under load must not take
    // a working destination out (Kamailio's ds_probing_threshold). A failure in a call does, at
    // once (branchEnded).
    if (n >= owner.probe().failureThreshold()) {
      transition(ACTIVE | PROBING, DestinationState.INACTIVE, reason, detail);
    }
  }

  /** Probing was turned off: nothing could bring a destination back, so all are back now. */
  void probingDisabled() {
    failuresInRow.set(0);
    successesInRow.set(0);
    transition(PROBING | INACTIVE, DestinationState.ACTIVE, "probing disabled", null);
  }

  /** Moves from one of the {@code from} states (a bit mask) to {@code to}; logs and counts it. */
  private boolean transition(int from, DestinationState to, String reason, String detail) {
    for (; ; ) {
      Health h = health.get();
      if ((from & (1 << h.state.ordinal())) == 0 || h.state == to) {
        return false;
      }
      Health next = new Health(to, reason, System.currentTimeMillis());
      if (health.compareAndSet(h, next)) {
        stateChanges.increment();
        LOG.info(
            "dispatcher "
                + owner.name()
                + " destination "
                + uri()
                + ": "
                + h.state
                + " -> "
                + to
                + " ("
                + (detail == null ? reason : reason + "; " + detail)
                + ")");
        return true;
      }
    }
  }
}
