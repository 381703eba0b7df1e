package io.sbc.runtime.sip.proxy;

/**
 * A routing rule's call admission limits, as configured (SipRoute rule {@code callLimits}); the
 * counts live in {@link CallAdmission}, by rule, so that they outlive a reload.
 *
 * @param maxCalls calls in progress at once (0: no limit)
 * @param maxCallsPerSecond new calls per second, in bursts of as many (0: no limit)
 * @param maxCallsPerSource calls in progress at once from one source address (0: no limit)
 * @param retryAfterSeconds the Retry-After of the 503 a refused call gets (0: none)
 */
public record CallLimit(
    int maxCalls, int maxCallsPerSecond, int maxCallsPerSource, int retryAfterSeconds) {}
