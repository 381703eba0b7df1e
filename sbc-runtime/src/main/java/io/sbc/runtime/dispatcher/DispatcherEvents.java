package io.sbc.runtime.dispatcher;

import io.sbc.runtime.sip.proxy.CallEvents;
import io.sbc.runtime.sip.proxy.Target;

/**
 * The dispatchers' subscription to the proxy's call events: each event about a target that a
 * dispatcher's destination owns goes to that destination (calls it carries, failures that take it
 * out of selection at once, as Kamailio's ds_mark_dst).
 */
public final class DispatcherEvents implements CallEvents {
  @Override
  public void branchStarted(Call call, Target target) {
    if (target != null && target.owner() instanceof Destination d) {
      d.branchStarted(call.method());
    }
  }

  @Override
  public void branchEnded(Call call, Target target, int status) {
    if (target != null && target.owner() instanceof Destination d) {
      d.branchEnded(call.method(), status);
    }
  }

  @Override
  public void callEnded(Call call, Target answeredBy, EndReason reason, int status) {
    if (answeredBy != null && answeredBy.owner() instanceof Destination d) {
      d.callGone();
    }
  }
}
