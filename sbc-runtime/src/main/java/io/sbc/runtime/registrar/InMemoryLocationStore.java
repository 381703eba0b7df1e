package io.sbc.runtime.registrar;

import io.sbc.runtime.sip.timer.Clock;
import io.sbc.runtime.sip.transport.Loop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bindings of one process in memory (a gateway without a database): a concurrent map by
 * address-of-record, each answer given before the call returns.
 *
 * <p>Expiry without scans: each address-of-record has at most one timer that matters, on the timer
 * wheel of the loop that last made its earliest expiry earlier, due at that expiry ({@code
 * timerAt}). When it fires it removes what has expired and schedules the next one; a refresh that
 * moves an expiry later schedules nothing (the pending timer fires early, removes nothing and
 * reschedules), and a timer superseded by an earlier one does nothing when it fires. So a REGISTER
 * schedules at most one timer, and nothing ever walks the table on a loop.
 */
public final class InMemoryLocationStore implements LocationStore {
  /** The bindings of one address-of-record; its fields change only inside the map's compute. */
  private static final class Entry {
    /** Immutable, replaced whole; read without the lock by lookups. */
    volatile List<Binding> bindings = List.of();

    /** The deadline of the timer that expires this entry's bindings, or MAX_VALUE for none. */
    long timerAt = Long.MAX_VALUE;
  }

  private final ConcurrentHashMap<String, Entry> table = new ConcurrentHashMap<>();
  private final Clock wallClock;
  private final Loop expiryLoop;
  private final long maxBindings;
  private final AtomicLong size = new AtomicLong();

  /**
   * @param wallClock wall-clock milliseconds since the epoch ({@link Binding#expiresAt()}); a
   *     {@link io.sbc.runtime.sip.timer.ManualClock} in tests
   * @param expiryLoop the loop whose timer wheel serves changes made off the loops (the management
   *     API); may be null when every caller passes its loop
   * @param maxBindings the most bindings the process holds; a change that would pass it is refused
   *     with 503, so unauthenticated registrations from trusted networks cannot exhaust memory
   */
  public InMemoryLocationStore(Clock wallClock, Loop expiryLoop, long maxBindings) {
    this.wallClock = wallClock;
    this.expiryLoop = expiryLoop;
    this.maxBindings = maxBindings;
  }

  @Override
  public void lookup(String aor, Loop loop, StoreAnswer<List<Binding>> answer) {
    Entry e = table.get(aor);
    answer.answered(e == null ? List.of() : live(e.bindings, wallClock.millis()), null);
  }

  @Override
  public void update(
      String aor, BindingChange change, Loop loop, StoreAnswer<BindingChange.Result> answer) {
    long now = wallClock.millis();
    BindingChange.Result[] out = new BindingChange.Result[1];
    long[] schedule = {Long.MAX_VALUE};
    try {
      table.compute(
          aor,
          (k, e) -> {
            List<Binding> current = e == null ? List.of() : live(e.bindings, now);
            BindingChange.Result r = change.apply(current, now);
            if (!r.isApplied()) {
              out[0] = r;
              return e;
            }
            List<Binding> keep = live(r.bindings(), now);
            int before = e == null ? 0 : e.bindings.size();
            if (keep.size() > before && size.get() + keep.size() - before > maxBindings) {
              out[0] =
                  BindingChange.Result.refused(
                      current, 503, "Service Unavailable (registrar full)");
              return e;
            }
            size.addAndGet(keep.size() - before);
            out[0] = BindingChange.Result.applied(keep);
            if (keep.isEmpty()) {
              return null;
            }
            Entry n = e == null ? new Entry() : e;
            n.bindings = keep;
            long earliest = earliest(keep);
            if (earliest < n.timerAt) {
              n.timerAt = earliest;
              schedule[0] = earliest;
            }
            return n;
          });
    } catch (RuntimeException ex) {
      answer.answered(null, ex);
      return;
    }
    if (schedule[0] != Long.MAX_VALUE) {
      scheduleExpiry(aor, schedule[0], loop != null ? loop : expiryLoop, now);
    }
    answer.answered(out[0], null);
  }

  @Override
  public void list(String afterAor, int limit, Loop loop, StoreAnswer<List<Binding>> answer) {
    // Off the loops only (the management API): sorting the keys is a scan of the table.
    List<String> aors = new ArrayList<>();
    for (String k : table.keySet()) {
      if (afterAor == null || k.compareTo(afterAor) > 0) {
        aors.add(k);
      }
    }
    aors.sort(null);
    long now = wallClock.millis();
    List<Binding> page = new ArrayList<>();
    for (String k : aors) {
      Entry e = table.get(k);
      if (e == null) {
        continue;
      }
      List<Binding> bs = live(e.bindings, now);
      if (!page.isEmpty() && page.size() + bs.size() > limit) {
        break;
      }
      page.addAll(bs);
      if (page.size() >= limit) {
        break;
      }
    }
    answer.answered(page, null);
  }

  @Override
  public long size() {
    return size.get();
  }

  private void scheduleExpiry(String aor, long at, Loop loop, long now) {
    if (loop == null) {
      return; // unit tests without loops: lookups still hide expired bindings
    }
    // Run on the loop: a timer wheel is only touched by its own loop.
    loop.execute(
        () -> loop.timers().schedule(() -> expire(aor, at, loop), Math.max(0, at - now) + 1));
  }

  /** The timer due at {@code at} fired: remove what has expired, and set the next timer. */
  private void expire(String aor, long at, Loop loop) {
    long now = wallClock.millis();
    long[] next = {Long.MAX_VALUE};
    table.computeIfPresent(
        aor,
        (k, e) -> {
          if (e.timerAt != at) {
            return e; // superseded by an earlier timer, which took over
          }
          List<Binding> keep = live(e.bindings, now);
          size.addAndGet(keep.size() - e.bindings.size());
          if (keep.isEmpty()) {
            return null;
          }
          e.bindings = keep;
          e.timerAt = earliest(keep);
          next[0] = e.timerAt;
          return e;
        });
    if (next[0] != Long.MAX_VALUE) {
      scheduleExpiry(aor, next[0], loop, now);
    }
  }

  private static long earliest(List<Binding> bs) {
    long m = Long.MAX_VALUE;
    for (int i = 0; i < bs.size(); i++) {
      m = Math.min(m, bs.get(i).expiresAt());
    }
    return m;
  }

  /** The bindings not expired at {@code now}: the same list when none has (no allocation). */
  static List<Binding> live(List<Binding> bs, long now) {
    int n = bs.size();
    int expired = 0;
    for (int i = 0; i < n; i++) {
      if (bs.get(i).expiresAt() <= now) {
        expired++;
      }
    }
    if (expired == 0) {
      return bs;
    }
    List<Binding> keep = new ArrayList<>(n - expired);
    for (int i = 0; i < n; i++) {
      Binding b = bs.get(i);
      if (b.expiresAt() > now) {
        keep.add(b);
      }
    }
    return List.copyOf(keep);
  }
}
