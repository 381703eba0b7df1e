/**
 * Timers for the SIP transaction and transport layers (RFC 3261 section 17 timers A to K, Timer C
 * of section 16.6).
 *
 * <p>Contract: a {@link io.sbc.runtime.sip.timer.TimerWheel} belongs to one event loop and is not
 * thread safe; schedule, cancel and advance it only from that loop. Time comes from a {@link
 * io.sbc.runtime.sip.timer.Clock} ({@link io.sbc.runtime.sip.timer.Clock#SYSTEM} in production,
 * {@link io.sbc.runtime.sip.timer.ManualClock} in tests). A timer never fires before its delay has
 * elapsed on that clock; it fires on the first {@code advance()} at or after its deadline, so its
 * lateness is bounded by how often the loop calls {@code advance()} (normally once per tick). A
 * task that throws is counted and reported, and never disturbs the other timers.
 */
package io.sbc.runtime.sip.timer;
