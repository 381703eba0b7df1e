package io.sbc.runtime.sip.timer;

/** A monotonic millisecond time source, replaceable in tests by {@link ManualClock}. */
@FunctionalInterface
public interface Clock {

  /**
   * The system clock: {@link System#nanoTime()} in milliseconds, monotonic because SIP timers (RFC
   * 3261 section 17) measure intervals and must not jump with wall-clock corrections.
   */
  Clock SYSTEM = () -> System.nanoTime() / 1_000_000;

  /** The current time in milliseconds; only differences between readings are meaningful. */
  long millis();
}
