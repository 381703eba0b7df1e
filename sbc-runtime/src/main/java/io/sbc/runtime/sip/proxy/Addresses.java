package io.sbc.runtime.sip.proxy;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IP literals to addresses without ever asking DNS (a lookup would block the event loop). */
public final class Addresses {
  private Addresses() {}

  /** An IP literal (IPv6 with or without brackets) as an address, or null for a host name. */
  public static InetAddress literal(String host) {
    String h = host;
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(h);
    if (bytes == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
