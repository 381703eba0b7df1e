package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetSocketAddress;

/**
 * One destination a request may be forwarded to: the URI as configured and where it resolves.
 *
 * @param uri the destination URI as written (for logs and status)
 * @param address the resolved address and port
 * @param protocol the transport to use
 */
public record Target(String uri, InetSocketAddress address, Protocol protocol) {}
