package io.sbc.runtime.dispatcher;

import io.sbc.runtime.sip.locate.Hop;
import io.sbc.runtime.sip.locate.LiteralResolver;
import io.sbc.runtime.sip.locate.NextHopResolver;
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
 * @param resolver turns a destination named by host name into hops (RFC 3263), as calls do: a probe
 *     goes to the first
 */
public record ProbeEnvironment(
    Loop loop,
    TransactionLayer transactions,
    List<Listener> listeners,
    Supplier<String> branches,
    SourceAddresses sources,
    NextHopResolver resolver) {

  /** Probing of destinations that are IP literals only. */
  public ProbeEnvironment(
      Loop loop,
      TransactionLayer transactions,
      List<Listener> listeners,
      Supplier<String> branches,
      SourceAddresses sources) {
    this(loop, transactions, listeners, branches, sources, new LiteralResolver());
  }

  /** The listener probes to a hop leave from, or null when the gateway has none. */
  Listener listenerFor(Hop hop) {
    boolean v6 = hop.address().getAddress() instanceof java.net.Inet6Address;
    for (Listener l : listeners) {
      if (l.protocol() == hop.protocol() && l.isIpv6() == v6) {
        return l;
      }
    }
    return null;
  }
}
