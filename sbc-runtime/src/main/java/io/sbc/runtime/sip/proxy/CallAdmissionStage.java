package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.message.SipMethod;

/**
 * Call admission control after routing: a new INVITE takes a slot (of its rule, when the rule has
 * call limits), or is answered 503 with Retry-After (RFC 3261 21.5.4: the server is "temporarily
 * unable to process the request due to a temporary overloading or maintenance", and may say when to
 * retry): over a limit, or while the process drains. Stateful mode only: without a transaction
 * nothing tells when a call ends.
 */
final class CallAdmissionStage implements RequestStage {
  /** While draining: another replica takes the retry at once, so a short wait is enough. */
  static final int DRAIN_RETRY_AFTER_SECONDS = 1;

  private final CallAdmission admission;

  CallAdmissionStage(CallAdmission admission) {
    this.admission = admission;
  }

  @Override
  public String name() {
    return "call-admission";
  }

  @Override
  public Outcome process(ProxyRequest r) {
    RouteAction a = r.action;
    CallLimit limit = a == null ? null : a.callLimit();
    if (a == null
        || r.inDialog
        || r.sealedHop != null
        || r.request.method() != SipMethod.INVITE
        || r.server == null) {
      return Outcome.CONTINUE;
    }
    CallAdmission.Refusal why =
        admission.admit(r.callId(), r.startedAt, a.rule(), limit, r.source.remote().getAddress());
    if (why == null) {
      return Outcome.CONTINUE;
    }
    String reason =
        switch (why) {
          case MAX_CALLS -> "Service Unavailable (call limit reached)";
          case MAX_CALLS_PER_SECOND -> "Service Unavailable (call rate limit reached)";
          case MAX_CALLS_PER_SOURCE -> "Service Unavailable (call limit of the source reached)";
          case GATEWAY_MAX_CALLS -> "Service Unavailable (call limit of the gateway reached)";
          case GATEWAY_MAX_CALLS_PER_SECOND ->
              "Service Unavailable (call rate limit of the gateway reached)";
          case DRAINING -> "Service Unavailable (shutting down)";
        };
    int retryAfter =
        switch (why) {
          case DRAINING -> DRAIN_RETRY_AFTER_SECONDS;
          case GATEWAY_MAX_CALLS, GATEWAY_MAX_CALLS_PER_SECOND -> {
            CallLimit g = admission.gateway().limit();
            yield g == null ? 0 : g.retryAfterSeconds();
          }
          default -> limit.retryAfterSeconds();
        };
    r.answer(503, reason, retryAfter > 0 ? "Retry-After: " + retryAfter + "\r\n" : null);
    return Outcome.STOP;
  }
}
