package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetSocketAddress;

/**
 * One destination a request may be forwarded to: the URI as configured, where it resolves, and who
 * wants to hear how branches to it went (a dispatcher's destination), if anyone.
 *
 * @param uri the destination URI as written (for logs and status)
 * @param address the resolved address and port
 * @param protocol the transport to use
 * @param feedback told when a branch to this target starts and ends; null for none
 */
public record Target(
    String uri, InetSocketAddress address, Protocol protocol, TargetFeedback feedback) {

  public Target(String uri, InetSocketAddress address, Protocol protocol) {
    this(uri, address, protocol, null);
  }
}
