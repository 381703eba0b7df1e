package io.sbc.runtime.routing;

import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.proxy.Target;
import java.util.List;
import java.util.random.RandomGenerator;

/** A set of destinations that picks, per request, the order to try them in (a dispatcher). */
@FunctionalInterface
public interface DestinationPool {
  /**
   * Appends the destinations to try for this request, first choice first; those known to be down
   * are left out. Thread safe, non-blocking.
   */
  void select(SipMessage request, RandomGenerator random, List<Target> out);
}
