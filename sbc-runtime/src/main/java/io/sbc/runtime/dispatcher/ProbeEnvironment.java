package io.sbc.runtime.dispatcher;

import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.SourceAddresses;
import java.util.List;
import java.util.function.Supplier;

/**
 * What probing needs from the running gateway.
 *
 * @param loop the loop the probes and their timers run on
 * @param transactions where probes are sent as non-INVITE client transactions
 * @param listeners the gateway's listeners: the first of a destination's transport and address
 *     family is the probe's Via sent-by
 * @param branches new Via branches that the proxy recognises as its own, so that it hands the
 *     responses to the probes' client transactions ({@code Branches.nextProbe})
 * @param sources the local address a wildcard listener advertises towards a destination
 */
public record ProbeEnvironment(
    Loop loop,
    TransactionLayer transactions,
    List<Listener> listeners,
    Supplier<String> branches,
    SourceAddresses sources) {

  /** The listener probes to a destination leave from, or null when the gateway has none. */
  Listener listenerFor(Destination d) {
    var hop = d.target().hop();
    boolean v6 = hop.address().getAddress() instanceof java.net.Inet6Address;
    for (Listener l : listeners) {
      if (l.protocol() == hop.protocol() && l.isIpv6() == v6) {
        return l;
      }
    }
    return null;
  }
}
