package io.sbc.runtime.sip.timer;

import java.util.Objects;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/** A hashed timing wheel for SIP timers, owned by one event loop and therefore not thread safe. */
public final class TimerWheel {
  private static final Logger LOG = Logger.getLogger(TimerWheel.class);

  /** At most one failure is logged per this many milliseconds; the rest are counted. */
  static final long LOG_INTERVAL_MILLIS = 1000;

  // Time is cut into ticks of tickMillis; tick k covers [origin + k*tick, origin + (k+1)*tick). A
  // timer goes to bucket (targetTick & mask), the tick holding its deadline, in a circular doubly
  // linked list with a sentinel per bucket: schedule and cancel are O(1) and the Timeout is the
  // node itself. A delay longer than one rotation (Timer C is 3 minutes, RFC 3261 section 16.6
  // step 11) lands in a bucket visited several times before it is due; the node keeps its
  // absolute target tick instead of a decremented remaining-rounds counter, because the current
  // tick is re-scanned on every advance() (so a delay-0 timer fires without waiting for the clock)
  // and a decrementing counter would be miscounted by the second scan. advance() processes the
  // ticks in order and runs each timer whose deadline the clock has reached, so a timer never
  // fires early and fires on the first advance at or after its deadline.

  /** Delays are capped so that deadline arithmetic cannot overflow; such timers never fire. */
  private static final long MAX_DELAY = Long.MAX_VALUE / 4;

  private final Clock clock;
  private final long tickMillis;
  private final int mask;
  private final Timeout[] buckets;

  /** Holds the nodes of the bucket being processed, so tasks may cancel any of them safely. */
  private final Timeout processing = new Timeout(null, null, 0);

  private final long origin;

  /** The last tick processed; new timers never go before it, and it is re-scanned next time. */
  private long currentTick;

  int size;

  /** Written by the owning loop only; volatile so that metrics read it from any thread. */
  private volatile long failures;

  private boolean advancing;
  private Consumer<Throwable> errorHandler = this::log;
  private long lastLogged = Long.MIN_VALUE;
  private long unlogged;

  /**
   * @param clock the time source
   * @param tickMillis the tick length in milliseconds (at least 1)
   * @param wheelSize the number of buckets, a power of two
   */
  public TimerWheel(Clock clock, long tickMillis, int wheelSize) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (tickMillis < 1) {
      throw new IllegalArgumentException("tickMillis must be at least 1: " + tickMillis);
    }
    if (wheelSize < 1 || Integer.bitCount(wheelSize) != 1) {
      throw new IllegalArgumentException("wheelSize must be a power of two: " + wheelSize);
    }
    this.tickMillis = tickMillis;
    this.mask = wheelSize - 1;
    this.buckets = new Timeout[wheelSize];
    for (int i = 0; i < wheelSize; i++) {
      buckets[i] = new Timeout(null, null, 0);
    }
    this.origin = clock.millis();
    this.currentTick = 0;
  }

  /**
   * Schedules {@code task} to run on the first {@link #advance()} at or after {@code delayMillis}
   * from now; a delay of 0 (or less) fires on the next advance.
   */
  public Timeout schedule(Runnable task, long delayMillis) {
    Objects.requireNonNull(task, "task");
    long delay = Math.min(Math.max(delayMillis, 0), MAX_DELAY);
    long deadline = clock.millis() + delay;
    Timeout t = new Timeout(this, task, deadline);
    long tick = tickOf(deadline);
    // A deadline in an already processed tick goes to the current one, which advance re-scans.
    if (tick < currentTick) {
      tick = currentTick;
    }
    t.targetTick = tick;
    t.linkBefore(buckets[(int) (tick & mask)]);
    size++;
    return t;
  }

  /**
   * Runs every timer due at {@code clock.millis()}, tick by tick in order. Timers scheduled by a
   * running task are placed normally and run in this same call only if already due and in a later
   * bucket scan; a re-entrant call from a task does nothing.
   *
   * @return the number of timers that fired (including tasks that threw)
   */
  public int advance() {
    if (advancing) {
      return 0;
    }
    long now = clock.millis();
    long target = tickOf(now);
    long k = currentTick;
    if (target < k) {
      target = k;
    }
    // Set before running tasks: a timer they schedule can never land in a tick already passed.
    currentTick = target;
    if (size == 0) {
      return 0;
    }
    advancing = true;
    int fired = 0;
    try {
      while (k <= target && size > 0) {
        if (target - k > mask) {
          // A jump of more than one rotation: skip straight to the earliest pending tick rather
          // than visiting every empty tick in between.
          long min = minPendingTick();
          if (min > k) {
            k = Math.min(min, target);
            continue;
          }
        }
        fired += processTick(k, now);
        k++;
      }
    } finally {
      advancing = false;
    }
    return fired;
  }

  private int processTick(long k, long now) {
    Timeout head = buckets[(int) (k & mask)];
    if (head.next == head) {
      return 0;
    }
    // Move the whole bucket to the processing list: nodes a task schedules go to their buckets and
    // are not visited by this scan, so a task rescheduling itself with delay 0 cannot livelock.
    Timeout p = processing;
    p.next = head.next;
    p.prev = head.prev;
    p.next.prev = p;
    p.prev.next = p;
    head.next = head;
    head.prev = head;
    int fired = 0;
    while (p.next != p) {
      Timeout t = p.next;
      t.unlink();
      if (t.targetTick <= k && t.deadline <= now) {
        t.state = Timeout.EXPIRED;
        size--;
        fired++;
        run(t.task);
      } else {
        t.linkBefore(head);
      }
    }
    return fired;
  }

  private void run(Runnable task) {
    try {
      task.run();
    } catch (Throwable e) {
      // A failing task must not strand the rest of the bucket or stop the event loop.
      failures++;
      try {
        errorHandler.accept(e);
      } catch (Throwable ignored) {
        // The handler is for logging; its own failure changes nothing.
      }
    }
  }

  /**
   * The default handler: logs the failure with its stack trace, at most once per {@link
   * #LOG_INTERVAL_MILLIS} so that a task failing on every tick cannot flood the log; the failures
   * in between are counted and their number logged with the next one.
   */
  private void log(Throwable e) {
    long now = clock.millis();
    if (lastLogged != Long.MIN_VALUE && now - lastLogged < LOG_INTERVAL_MILLIS) {
      unlogged++;
      return;
    }
    lastLogged = now;
    long skipped = unlogged;
    unlogged = 0;
    LOG.errorf(
        e,
        "a timer task failed (%d failures on this wheel, %d not logged since the last one)",
        failures,
        skipped);
  }

  private long minPendingTick() {
    long min = Long.MAX_VALUE;
    for (Timeout head : buckets) {
      for (Timeout t = head.next; t != head; t = t.next) {
        if (t.targetTick < min) {
          min = t.targetTick;
        }
      }
    }
    return min;
  }

  private long tickOf(long millis) {
    return Math.floorDiv(millis - origin, tickMillis);
  }

  /** The number of pending timers. */
  public int size() {
    return size;
  }

  /** How many tasks have thrown since this wheel was made. */
  public long failures() {
    return failures;
  }

  /**
   * Receives what a failing task threw, instead of the log; null restores the log. Failures are
   * counted ({@link #failures()}) either way.
   */
  public void setErrorHandler(Consumer<Throwable> handler) {
    this.errorHandler = handler != null ? handler : this::log;
  }

  public long tickMillis() {
    return tickMillis;
  }

  public int wheelSize() {
    return mask + 1;
  }

  public Clock clock() {
    return clock;
  }
}
