package io.sbc.runtime.dispatcher;

/**
 * A dispatcher's OPTIONS probing, compiled from {@code SipDispatcher.spec.probe}.
 *
 * @param enabled whether destinations are probed (and so whether failures take them out)
 * @param intervalMillis time between two probes of a destination
 * @param timeoutMillis a probe unanswered for this long fails
 * @param failureThreshold failures in a row that make a destination INACTIVE
 * @param successThreshold successes in a row that make it ACTIVE again
 */
public record ProbeSettings(
    boolean enabled,
    long intervalMillis,
    long timeoutMillis,
    int failureThreshold,
    int successThreshold) {}
