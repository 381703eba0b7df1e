package io.sbc.operator.model;

/**
 * How the operator runs the data plane, from its own configuration (sbc.operator.*).
 *
 * @param image the sbc-runtime container image
 * @param imagePullPolicy Always, IfNotPresent or Never
 * @param preStopSleepSeconds how long a stopping pod keeps serving after it is told to stop, so
 *     that Services stop sending it new traffic first (its readiness drops at SIGTERM)
 * @param rtpengineImage the RTPengine image of media sidecars (when the gateway names none)
 */
public record RuntimeSettings(
    String image, String imagePullPolicy, int preStopSleepSeconds, String rtpengineImage) {}
