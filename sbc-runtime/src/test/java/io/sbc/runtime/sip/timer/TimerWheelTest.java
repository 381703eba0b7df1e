package io.sbc.runtime.sip.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class TimerWheelTest {

  private final ManualClock clock = new ManualClock(1_000_000);
  private final TimerWheel wheel = new TimerWheel(clock, 10, 8);
  private final List<String> log = new ArrayList<>();

  private Runnable record(String name) {
    return () -> log.add(name + "@" + clock.millis());
  }

  @Test
  void firesInDeadlineOrderAcrossTicks() {
    wheel.schedule(record("c"), 35);
    wheel.schedule(record("a"), 5);
    wheel.schedule(record("b"), 20);
    assertEquals(3, wheel.size());
    clock.advance(100);
    assertEquals(3, wheel.advance());
    assertEquals(List.of("a@1000100", "b@1000100", "c@1000100"), log);
    assertEquals(0, wheel.size());
  }

  @Test
  void neverFiresEarly() {
    Timeout t = wheel.schedule(record("t"), 25);
    for (int ms = 0; ms < 25; ms++) {
      assertEquals(0, wheel.advance(), "at +" + ms);
      clock.advance(1);
    }
    assertFalse(t.isExpired());
    assertEquals(1, wheel.advance());
    assertTrue(t.isExpired());
    assertEquals(List.of("t@1000025"), log);
    assertEquals(1_000_025, t.deadline());
  }

  @Test
  void neverEarlyFromAnyPhaseAndAtMostOneTickLateWhenAdvancedEveryTick() {
    Random r = new Random(1);
    for (int n = 0; n < 2000; n++) {
      clock.advance(r.nextInt(10));
      wheel.advance();
      long delay = r.nextInt(300);
      long[] firedAt = {-1};
      long scheduledAt = clock.millis();
      wheel.schedule(() -> firedAt[0] = clock.millis(), delay);
      // the event loop advances once per tick
      while (firedAt[0] < 0) {
        clock.advance(10);
        wheel.advance();
      }
      assertTrue(firedAt[0] >= scheduledAt + delay, "early");
      assertTrue(firedAt[0] < scheduledAt + delay + 10 + 10, "late");
    }
  }

  @Test
  void zeroDelayFiresOnNextAdvanceWithoutClockMovement() {
    wheel.advance();
    Timeout t = wheel.schedule(record("z"), 0);
    assertEquals(1, wheel.advance());
    assertTrue(t.isExpired());
    Timeout neg = wheel.schedule(record("n"), -5);
    assertEquals(1, wheel.advance());
    assertTrue(neg.isExpired());
    assertEquals(List.of("z@1000000", "n@1000000"), log);
  }

  @Test
  void zeroDelayMidTickFiresOnNextAdvance() {
    clock.advance(13);
    wheel.advance();
    clock.advance(4);
    wheel.schedule(record("z"), 0);
    wheel.schedule(record("later"), 2);
    assertEquals(1, wheel.advance());
    clock.advance(2);
    assertEquals(1, wheel.advance());
    assertEquals(List.of("z@1000017", "later@1000019"), log);
  }

  @Test
  void cancel() {
    Timeout a = wheel.schedule(record("a"), 10);
    Timeout b = wheel.schedule(record("b"), 10);
    Timeout c = wheel.schedule(record("c"), 10);
    assertTrue(b.cancel());
    assertFalse(b.cancel());
    assertTrue(b.isCancelled());
    assertFalse(b.isExpired());
    assertFalse(b.isPending());
    assertEquals(2, wheel.size());
    clock.advance(10);
    assertEquals(2, wheel.advance());
    assertEquals(List.of("a@1000010", "c@1000010"), log);
    assertFalse(a.cancel());
    assertTrue(a.isExpired());
    assertFalse(a.isCancelled());
    assertTrue(c.isExpired());
    assertEquals(0, wheel.size());
  }

  @Test
  void cancelHeadAndTailOfBucket() {
    Timeout a = wheel.schedule(record("a"), 10);
    Timeout b = wheel.schedule(record("b"), 10);
    Timeout c = wheel.schedule(record("c"), 10);
    assertTrue(a.cancel());
    assertTrue(c.cancel());
    clock.advance(10);
    assertEquals(1, wheel.advance());
    assertEquals(List.of("b@1000010"), log);
    assertTrue(b.isExpired());
  }

  @Test
  void longDelaysSpanManyRounds() {
    // 8 buckets of 10 ms: one rotation is 80 ms; Timer C (3 minutes) spans thousands of them.
    Timeout timerC = wheel.schedule(record("C"), 180_000);
    Timeout short1 = wheel.schedule(record("s"), 80);
    Timeout sameBucket = wheel.schedule(record("r"), 160);
    for (int i = 0; i < 180_000 / 10 - 1; i++) {
      clock.advance(10);
      wheel.advance();
    }
    assertTrue(short1.isExpired());
    assertTrue(sameBucket.isExpired());
    assertFalse(timerC.isExpired());
    assertEquals(1, wheel.size());
    clock.advance(9);
    assertEquals(0, wheel.advance());
    clock.advance(1);
    assertEquals(1, wheel.advance());
    assertEquals(List.of("s@1000080", "r@1000160", "C@1180000"), log);
  }

  @Test
  void bigClockJumpRunsEverythingInOrder() {
    wheel.schedule(record("c"), 500_000);
    wheel.schedule(record("a"), 15);
    wheel.schedule(record("b"), 1_000);
    wheel.schedule(record("d"), 10_000_000);
    clock.advance(600_000);
    assertEquals(3, wheel.advance());
    assertEquals(List.of("a@1600000", "b@1600000", "c@1600000"), log);
    assertEquals(1, wheel.size());
    clock.set(Long.MAX_VALUE / 8);
    assertEquals(1, wheel.advance());
    assertEquals(0, wheel.size());
  }

  @Test
  void hugeDelayNeverOverflows() {
    Timeout t = wheel.schedule(record("x"), Long.MAX_VALUE);
    clock.advance(1_000_000);
    assertEquals(0, wheel.advance());
    assertTrue(t.isPending());
    assertTrue(t.cancel());
  }

  @Test
  void taskMaySchedule() {
    wheel.schedule(
        () -> {
          log.add("first@" + clock.millis());
          wheel.schedule(record("second"), 30);
          wheel.schedule(record("immediate"), 0);
        },
        10);
    clock.advance(10);
    // the delay-0 timer scheduled during this advance runs on the next one, not in a loop here
    assertEquals(1, wheel.advance());
    assertEquals(2, wheel.size());
    assertEquals(1, wheel.advance());
    clock.advance(29);
    assertEquals(0, wheel.advance());
    clock.advance(1);
    assertEquals(1, wheel.advance());
    assertEquals(List.of("first@1000010", "immediate@1000010", "second@1000040"), log);
  }

  @Test
  void taskScheduledDuringCatchUpIsHandled() {
    // The clock jumps 100 ms: ticks are processed in order; a task of an early tick schedules a
    // timer that is already due by the clock and one that is not.
    wheel.schedule(
        () -> {
          log.add("a@" + clock.millis());
          wheel.schedule(record("due-later"), 50);
          wheel.schedule(record("zero"), 0);
        },
        10);
    wheel.schedule(record("b"), 60);
    clock.advance(100);
    // "zero" lands in tick 10, processed later in this same catch-up, after "b" of tick 6.
    assertEquals(3, wheel.advance());
    assertEquals(List.of("a@1000100", "b@1000100", "zero@1000100"), log);
    assertEquals(0, wheel.advance());
    clock.advance(50);
    assertEquals(1, wheel.advance());
    assertEquals("due-later@1000150", log.get(log.size() - 1));
  }

  @Test
  void selfReschedulingZeroDelayDoesNotLivelock() {
    int[] runs = {0};
    Runnable[] self = new Runnable[1];
    self[0] =
        () -> {
          runs[0]++;
          wheel.schedule(self[0], 0);
        };
    wheel.schedule(self[0], 0);
    for (int i = 0; i < 5; i++) {
      assertEquals(1, wheel.advance());
    }
    assertEquals(5, runs[0]);
    assertEquals(1, wheel.size());
  }

  @Test
  void taskMayCancelAnotherTimerOfTheSameTick() {
    AtomicReference<Timeout> victim = new AtomicReference<>();
    wheel.schedule(
        () -> {
          log.add("killer");
          assertTrue(victim.get().cancel());
        },
        10);
    victim.set(wheel.schedule(record("victim"), 10));
    Timeout other = wheel.schedule(record("other"), 10);
    clock.advance(10);
    assertEquals(2, wheel.advance());
    assertEquals(List.of("killer", "other@1000010"), log);
    assertTrue(victim.get().isCancelled());
    assertTrue(other.isExpired());
    assertEquals(0, wheel.size());
  }

  @Test
  void taskCancellingItselfIsHarmless() {
    AtomicReference<Timeout> me = new AtomicReference<>();
    me.set(wheel.schedule(() -> log.add("cancel=" + me.get().cancel()), 0));
    assertEquals(1, wheel.advance());
    assertEquals(List.of("cancel=false"), log);
    assertTrue(me.get().isExpired());
  }

  @Test
  void throwingTaskIsCountedAndOthersStillRun() {
    List<Throwable> seen = new ArrayList<>();
    wheel.setErrorHandler(seen::add);
    wheel.schedule(record("a"), 10);
    wheel.schedule(
        () -> {
          throw new IllegalStateException("boom");
        },
        10);
    wheel.schedule(record("b"), 10);
    wheel.schedule(record("c"), 20);
    clock.advance(20);
    assertEquals(4, wheel.advance());
    assertEquals(List.of("a@1000020", "b@1000020", "c@1000020"), log);
    assertEquals(1, wheel.failures());
    assertEquals("boom", seen.get(0).getMessage());
    assertEquals(0, wheel.size());
    // and the wheel keeps working
    wheel.schedule(record("d"), 10);
    clock.advance(10);
    assertEquals(1, wheel.advance());
  }

  @Test
  void throwingErrorHandlerIsIgnored() {
    wheel.setErrorHandler(
        e -> {
          throw new RuntimeException("handler");
        });
    wheel.schedule(
        () -> {
          throw new RuntimeException("task");
        },
        0);
    wheel.schedule(record("after"), 0);
    assertEquals(2, wheel.advance());
    assertEquals(1, wheel.failures());
    assertEquals(List.of("after@1000000"), log);
  }

  @Test
  void reentrantAdvanceIsIgnored() {
    wheel.schedule(() -> log.add("inner=" + wheel.advance()), 0);
    wheel.schedule(record("x"), 0);
    assertEquals(2, wheel.advance());
    assertEquals(List.of("inner=0", "x@1000000"), log);
  }

  @Test
  void clockGoingBackDoesNotBreakTheWheel() {
    clock.advance(100);
    wheel.advance();
    clock.set(1_000_000);
    Timeout t = wheel.schedule(record("t"), 10);
    assertEquals(0, wheel.advance());
    clock.set(1_000_010);
    assertEquals(1, wheel.advance());
    assertTrue(t.isExpired());
  }

  @Test
  void manyTimersRandomisedAgainstAReferenceModel() {
    TimerWheel w = new TimerWheel(clock, 10, 16);
    Random r = new Random(99);
    List<long[]> expected = new ArrayList<>(); // {id, deadline}
    List<Timeout> timeouts = new ArrayList<>();
    List<Long> firedIds = new ArrayList<>();
    long[] firedAt = new long[5000];
    for (int id = 0; id < 5000; id++) {
      int fid = id;
      long delay = r.nextInt(2000);
      expected.add(new long[] {id, clock.millis() + delay});
      timeouts.add(
          w.schedule(
              () -> {
                firedIds.add((long) fid);
                firedAt[fid] = clock.millis();
              },
              delay));
      if (r.nextInt(4) == 0) {
        clock.advance(r.nextInt(15));
        w.advance();
      }
    }
    int cancelled = 0;
    for (Timeout t : timeouts) {
      if (r.nextInt(3) == 0 && t.cancel()) {
        cancelled++;
      }
    }
    while (w.size() > 0) {
      clock.advance(r.nextInt(25));
      w.advance();
    }
    assertEquals(5000 - cancelled, firedIds.size());
    for (long id : firedIds) {
      long deadline = expected.get((int) id)[1];
      assertTrue(firedAt[(int) id] >= deadline, "fired early: " + id);
      assertFalse(timeouts.get((int) id).isCancelled());
    }
  }

  @Test
  void constructorValidation() {
    assertThrows(IllegalArgumentException.class, () -> new TimerWheel(clock, 0, 8));
    assertThrows(IllegalArgumentException.class, () -> new TimerWheel(clock, 10, 12));
    assertThrows(IllegalArgumentException.class, () -> new TimerWheel(clock, 10, 0));
    assertThrows(NullPointerException.class, () -> new TimerWheel(null, 10, 8));
    assertThrows(NullPointerException.class, () -> wheel.schedule(null, 1));
    assertEquals(10, wheel.tickMillis());
    assertEquals(8, wheel.wheelSize());
  }

  @Test
  void manualClock() {
    ManualClock c = new ManualClock();
    assertEquals(0, c.millis());
    c.advance(5);
    assertEquals(5, c.millis());
    c.set(100);
    assertEquals(100, c.millis());
    assertThrows(IllegalArgumentException.class, () -> c.advance(-1));
    long a = Clock.SYSTEM.millis();
    assertTrue(Clock.SYSTEM.millis() >= a);
  }

  // --- failures are logged, not lost ---------------------------------------------------------

  static final class Captured extends Handler {
    final List<LogRecord> records = new ArrayList<>();

    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    String text(int i) {
      LogRecord r = records.get(i);
      return r.getParameters() == null
          ? r.getMessage()
          : String.format(r.getMessage(), r.getParameters());
    }
  }

  private Runnable failing(String message) {
    return () -> {
      throw new IllegalStateException(message);
    };
  }

  @Test
  void failingTasksAreLoggedWithTheExceptionAndCountedWithoutFloodingTheLog() {
    Logger logger = Logger.getLogger(TimerWheel.class.getName());
    Captured captured = new Captured();
    logger.addHandler(captured);
    try {
      wheel.schedule(failing("first"), 10);
      wheel.schedule(record("a"), 10);
      clock.advance(10);
      assertEquals(2, wheel.advance());
      assertEquals(List.of("a@1000010"), log);
      assertEquals(1, wheel.failures());
      assertEquals(1, captured.records.size());
      assertEquals(Level.SEVERE, captured.records.get(0).getLevel());
      assertEquals("first", captured.records.get(0).getThrown().getMessage());
      assertTrue(captured.text(0).contains("1 failures"), captured.text(0));

      // A task failing on every tick: counted each time, logged at most once a second.
      for (int i = 0; i < 50; i++) {
        wheel.schedule(failing("again " + i), 10);
        wheel.schedule(record("b" + i), 10);
        clock.advance(10);
        wheel.advance();
      }
      assertEquals(51, wheel.failures());
      assertEquals(1 + 50, log.size(), "every other task ran");
      assertEquals(1, captured.records.size(), "within the second: counted, not logged");
      clock.advance(TimerWheel.LOG_INTERVAL_MILLIS);
      wheel.schedule(failing("later"), 0);
      wheel.advance();
      assertEquals(52, wheel.failures());
      assertEquals(2, captured.records.size());
      assertEquals("later", captured.records.get(1).getThrown().getMessage());
      assertTrue(captured.text(1).contains("50 not logged"), captured.text(1));
      assertEquals(0, wheel.size());
    } finally {
      logger.removeHandler(captured);
    }
  }

  @Test
  void aHandlerReplacesTheLogAndNullRestoresIt() {
    Logger logger = Logger.getLogger(TimerWheel.class.getName());
    Captured captured = new Captured();
    logger.addHandler(captured);
    try {
      List<Throwable> seen = new ArrayList<>();
      wheel.setErrorHandler(seen::add);
      wheel.schedule(failing("handled"), 0);
      wheel.advance();
      assertEquals(1, seen.size());
      assertEquals(0, captured.records.size());
      wheel.setErrorHandler(null);
      wheel.schedule(failing("logged"), 0);
      wheel.advance();
      assertEquals(1, seen.size());
      assertEquals(1, captured.records.size());
      assertEquals("logged", captured.records.get(0).getThrown().getMessage());
      assertEquals(2, wheel.failures());
    } finally {
      logger.removeHandler(captured);
    }
  }
}
