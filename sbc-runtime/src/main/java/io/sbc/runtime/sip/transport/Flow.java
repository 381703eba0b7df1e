package io.sbc.runtime.sip.transport;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * Where a message came from, or where one goes: a listener, the peer's address and, on a stream
 * transport, the connection (RFC 3261 section 18.2.2 answers over the connection a request used).
 */
public record Flow(Listener listener, InetSocketAddress remote, Channel connection) {
  public Protocol protocol() {
    return listener.protocol();
  }

  public boolean reliable() {
    return listener.protocol().reliable();
  }
}
