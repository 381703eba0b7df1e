package io.sbc.runtime.sip.proxy;

import io.sbc.api.syntax.IpLiteral;
import java.net.InetAddress;

/** IP literals to addresses without ever asking DNS (a lookup would block the event loop). */
public final class Addresses {
  private Addresses() {}

  /**
   * An IP literal (IPv6 with or without brackets) as an address, or null for a host name; {@link
   * IpLiteral#toInetAddress}, the parser the codec and the validator share.
   */
  public static InetAddress literal(String host) {
    return IpLiteral.toInetAddress(host);
  }
}
