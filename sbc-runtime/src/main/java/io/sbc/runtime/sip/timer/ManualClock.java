package io.sbc.runtime.sip.timer;

/** A {@link Clock} that moves only when told to, so timer behaviour can be tested exactly. */
public final class ManualClock implements Clock {
  private long now;

  public ManualClock() {
    this(0);
  }

  public ManualClock(long start) {
    this.now = start;
  }

  @Override
  public long millis() {
    return now;
  }

  /** Moves the clock forward by {@code ms} (which must not be negative). */
  public void advance(long ms) {
    if (ms < 0) {
      throw new IllegalArgumentException("a monotonic clock cannot go back: " + ms);
    }
    now += ms;
  }

  /** Sets the clock to {@code millis}. */
  public void set(long millis) {
    now = millis;
  }
}
