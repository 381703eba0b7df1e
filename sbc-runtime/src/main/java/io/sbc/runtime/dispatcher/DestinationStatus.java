package io.sbc.runtime.dispatcher;

/**
 * One destination of a dispatcher as a management view or metrics read it, at one instant.
 *
 * @param dispatcher the dispatcher's name
 * @param uri the destination URI as configured
 * @param weight its weight
 * @param priority its priority (lower is tried first by Priority)
 * @param state its health
 * @param reason why it is in that state ("timeout", "503 from probe", "configured", ...)
 * @param changedAtEpochMillis wall-clock time of the last state change (0 if none since start)
 * @param activeCalls INVITE branches in progress plus answered calls not yet ended
 * @param callsStarted INVITE branches sent to it
 * @param callFailures branches that ended with 408 or 5xx
 * @param probesSent OPTIONS probes sent
 * @param probeFailures probes that failed (timeout, transport error, 5xx, 6xx)
 * @param stateChanges state changes since start
 * @param maxCalls calls in progress allowed at once (0: no limit)
 * @param callsSkippedFull new calls that skipped it because it carried maxCalls
 */
public record DestinationStatus(
    String dispatcher,
    String uri,
    int weight,
    int priority,
    DestinationState state,
    String reason,
    long changedAtEpochMillis,
    int activeCalls,
    long callsStarted,
    long callFailures,
    long probesSent,
    long probeFailures,
    long stateChanges,
    int maxCalls,
    long callsSkippedFull) {}
