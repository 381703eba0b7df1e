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
 * @param id the flow's number (RFC 5626 section 5.2, the flow a flow token names): non-zero for a
 *     connection a peer opened to the SBC, which {@link TransportLayer#flow(int,
 *     InetSocketAddress)} finds again while it is open; 0 otherwise
 */
public record Flow(
    Listener listener, InetSocketAddress remote, Channel connection, String serverName, int id) {
  public Flow(Listener listener, InetSocketAddress remote, Channel connection) {
    this(listener, remote, connection, null, 0);
  }

  public Flow(Listener listener, InetSocketAddress remote, Channel connection, String serverName) {
    this(listener, remote, connection, serverName, 0);
  }

  /** A connection a peer opened, numbered as a flow. */
  public Flow(Listener listener, InetSocketAddress remote, Channel connection, int id) {
    this(listener, remote, connection, null, id);
  }

  public Protocol protocol() {
    return listener.protocol();
  }

  public boolean reliable() {
    return listener.protocol().reliable();
  }
}
