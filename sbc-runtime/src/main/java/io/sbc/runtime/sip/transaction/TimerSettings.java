package io.sbc.runtime.sip.transaction;

/**
 * The base timer values of RFC 3261 section 17 (table 4), in milliseconds, from which timers A to M
 * derive; timer C is the proxy's INVITE timer of section 16.6 step 11, timer D the wait for
 * retransmitted non-2xx finals of section 17.1.1.2.
 */
public record TimerSettings(long t1, long t2, long t4, long timerC, long timerD) {
  /** Timer D's default: table 4 asks for "> 32s for UDP" (section 17.1.1.2: "at least 32"). */
  public static final long DEFAULT_TIMER_D = 32_000;

  public static final TimerSettings DEFAULT =
      new TimerSettings(500, 4000, 5000, 180_000, DEFAULT_TIMER_D);

  public TimerSettings {
    // Timer C may not cut timer B short (below 64*T1) unless it is the RFC's 3 minutes anyway.
    if (t1 <= 0 || t2 < t1 || t4 <= 0 || timerC < 180_000 && timerC < 64 * t1 || timerD < 0) {
      throw new IllegalArgumentException("timer values out of range");
    }
  }

  /** The RFC defaults for timer D (32 s). */
  public TimerSettings(long t1, long t2, long t4, long timerC) {
    this(t1, t2, t4, timerC, DEFAULT_TIMER_D);
  }

  /** Timer B, F, H, J, L and M: 64*T1. */
  public long timeout() {
    return 64 * t1;
  }

  /**
   * How long a server transaction may wait for its user's final response before it answers itself
   * (the fallback of {@link ServerTransaction}): for INVITE, timer C and then 64*T1 for the answer
   * to the CANCEL that timer C sends (section 16.8) are what a correct proxy may take; for
   * non-INVITE, 64*T1, after which the client has given up anyway (timer F, section 17.1.2.2). T4,
   * "the maximum duration a message will remain in the network", is added so that a final the user
   * produces at its own deadline always goes out first.
   */
  public long serverFallback(boolean invite) {
    return (invite ? timerC + timeout() : timeout()) + t4;
  }
}
