package io.sbc.runtime.sip.transport;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * Where a message came from, or where one goes: a listener, the peer's address and, on a stream
 * transport, the connection (RFC 3261 section 18.2.2 answers over the connection a request used).
 *
 * @param serverName over TLS, the name the destination was resolved from: what its certificate must
 *     name (RFC 5922) and part of the key under which a connection is reused (RFC 5923); null for
 *     an address, or on other transports
 */
public record Flow(
    Listener listener, InetSocketAddress remote, Channel connection, String serverName) {
  public Flow(Listener listener, InetSocketAddress remote, Channel connection) {
    this(listener, remote, connection, null);
  }

  public Protocol protocol() {
    return listener.protocol();
  }

  public boolean reliable() {
    return listener.protocol().reliable();
  }
}
