package io.sbc.api;

import java.util.ArrayList;
import java.util.List;

/**
 * NAT traversal for peers behind NAT (Kamailio's nathelper): which tests mark a request's sender as
 * behind NAT, and keepalives towards the NATed ends of calls in progress. A NATed peer is then
 * reached at the address and port its packets came from, whatever its Contact says.
 */
public class NatTraversal {
  /**
   * Which tests mark the sender as behind NAT (any one suffices), as nat_uac_test: {@code
   * PrivateContact} (the Contact names a private address), {@code ContactMismatch} (the Contact's
   * address differs from the packet's source), {@code ViaMismatch} (the top Via's address or port
   * differs from the source), {@code PrivateSource} (the packet came from a private address).
   * Empty: no detection.
   */
  public List<String> detect = new ArrayList<>();

  /**
   * Seconds between keepalives sent to the NATed ends of calls in progress (OPTIONS over UDP, CRLF
   * over TCP), so that their NAT bindings stay open; 0 for none.
   */
  public Integer keepaliveSeconds = Defaults.NAT_KEEPALIVE_SECONDS;
}
