package io.sbc.runtime.sip.transport;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** IP literals to addresses and back, without ever asking DNS (a lookup would block a loop). */
public final class Addresses {
  private Addresses() {}

  /** An IP literal (IPv6 with or without brackets) as an address, or null for a host name. */
  public static InetAddress literal(String host) {
    if (host == null) {
      return null;
    }
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

  /**
   * The host text of an address as a SIP URI or Via writes it: dotted IPv4, or RFC 5952 IPv6 in
   * brackets (RFC 5118 section 4.1), without a zone.
   */
  public static String uriHost(InetAddress a) {
    if (a instanceof Inet6Address) {
      return "[" + canonicalIpv6(a.getAddress()) + "]";
    }
    return a.getHostAddress();
  }

  /**
   * The key under which a host is compared: lowercase, IP literals in their canonical URI form
   * ([::1] and [0:0:0:0:0:0:0:1] are one host).
   */
  public static String hostKey(String host) {
    InetAddress a = literal(host);
    if (a != null) {
      return uriHost(a);
    }
    return host.toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The RFC 5952 section 4 text of a 16-byte IPv6 address: lowercase hex without leading zeros, the
   * longest run of two or more zero fields (the first of equal runs) shortened to "::", no zone.
   */
  public static String canonicalIpv6(byte[] a) {
    int[] f = new int[8];
    for (int i = 0; i < 8; i++) {
      f[i] = ((a[2 * i] & 0xFF) << 8) | (a[2 * i + 1] & 0xFF);
    }
    int bestStart = -1;
    int bestLen = 1; // a single zero field is not shortened (section 4.2.2)
    for (int i = 0; i < 8; ) {
      if (f[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && f[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(f[i]));
    }
    return sb.toString();
  }
}
