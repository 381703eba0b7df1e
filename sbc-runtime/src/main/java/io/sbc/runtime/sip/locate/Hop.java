package io.sbc.runtime.sip.locate;

import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetSocketAddress;

/**
 * One place to send a request: an address, a port and a transport (RFC 3263 section 4: the outcome
 * of resolving a URI is an ordered list of these).
 *
 * @param address the resolved IP address and port
 * @param protocol the transport to use
 * @param name the host name the hop was resolved from (for TLS server identity, RFC 5922), or null
 *     for an IP literal
 * @param flow the number of the connection the hop is reached through (RFC 5626: a flow the peer
 *     opened, sealed in a flow token), or 0 for a hop the transport may connect to
 */
public record Hop(InetSocketAddress address, Protocol protocol, String name, int flow) {
  public Hop(InetSocketAddress address, Protocol protocol, String name) {
    this(address, protocol, name, 0);
  }
}
