package io.sbc.runtime.sip.transaction;

/**
 * The base timer values of RFC 3261 section 17 (table 4), in milliseconds, from which timers A to K
 * derive; timer C is the proxy's INVITE timer of section 16.6 step 11.
 */
public record TimerSettings(long t1, long t2, long t4, long timerC) {
  public static final TimerSettings DEFAULT = new TimerSettings(500, 4000, 5000, 180_000);

  public TimerSettings {
    if (t1 <= 0 || t2 < t1 || t4 <= 0 || timerC <= 180_000 - 1 && timerC < 64 * t1) {
      throw new IllegalArgumentException("timer values out of range");
    }
  }

  /** Timer B, F and H: 64*T1. */
  public long timeout() {
    return 64 * t1;
  }
}
