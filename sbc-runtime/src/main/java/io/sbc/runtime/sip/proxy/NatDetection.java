package io.sbc.runtime.sip.proxy;

import io.sbc.api.syntax.IpLiteral;
import io.sbc.runtime.sip.locate.UriTarget;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipParseException;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.message.Via;
import io.sbc.runtime.sip.transport.Flow;
import java.net.InetSocketAddress;

/**
 * Whether the sender of a message is behind NAT, by the tests of Kamailio's nat_uac_test: a private
 * address in its Contact, a Contact or top Via that names another address or port than the packet
 * came from, a private source address. A NATed sender is reached at its source.
 */
public final class NatDetection {
  private NatDetection() {}

  /**
   * The sender's source as a hop when one of {@code tests} says it is behind NAT, else null.
   *
   * @param via whether the top Via is the sender's (requests); a response's is ours
   */
  static UriTarget natHop(SipMessage m, Flow source, int tests, boolean via) {
    if (tests == 0) {
      return null;
    }
    InetSocketAddress src = source.remote();
    byte[] srcAddr = src.getAddress().getAddress();
    boolean nated = false;
    if ((tests & EdgePolicy.NAT_PRIVATE_SOURCE) != 0 && isPrivate(srcAddr)) {
      nated = true;
    }
    if (!nated
        && (tests & (EdgePolicy.NAT_PRIVATE_CONTACT | EdgePolicy.NAT_CONTACT_MISMATCH)) != 0) {
      SipUri c = contact(m);
      if (c != null && c.host() != null) {
        byte[] a = IpLiteral.toBytes(c.host());
        if ((tests & EdgePolicy.NAT_PRIVATE_CONTACT) != 0 && a != null && isPrivate(a)) {
          nated = true;
        } else if ((tests & EdgePolicy.NAT_CONTACT_MISMATCH) != 0) {
          int port = c.port() > 0 ? c.port() : 5060;
          nated = a == null || !java.util.Arrays.equals(a, srcAddr) || port != src.getPort();
        }
      }
    }
    if (!nated && via && (tests & EdgePolicy.NAT_VIA_MISMATCH) != 0) {
      Via v = m.topVia();
      byte[] a = IpLiteral.toBytes(v.host());
      int port = v.port() > 0 ? v.port() : 5060;
      nated = a == null || !java.util.Arrays.equals(a, srcAddr) || port != src.getPort();
    }
    return nated ? HiddenState.hopOf(src, source.protocol()) : null;
  }

  private static SipUri contact(SipMessage m) {
    int h = m.findHeader(HeaderName.CONTACT);
    if (h < 0) {
      return null;
    }
    try {
      int[] v = RoutePreprocessing.values(m, h);
      return v.length < 2 ? null : NameAddr.parse(m.bytes(), v[0], v[1], "Contact").uri();
    } catch (SipParseException e) {
      return null;
    }
  }

  /**
   * RFC 1918, RFC 6598 shared address space, link-local, and IPv6 unique local and link-local
   * addresses: not reachable from the other side of a NAT.
   */
  public static boolean isPrivate(byte[] a) {
    if (a.length == 4) {
      int b0 = a[0] & 0xFF;
      int b1 = a[1] & 0xFF;
      return b0 == 10
          || (b0 == 172 && b1 >= 16 && b1 <= 31)
          || (b0 == 192 && b1 == 168)
          || (b0 == 100 && b1 >= 64 && b1 <= 127)
          || (b0 == 169 && b1 == 254);
    }
    if (a.length == 16) {
      int b0 = a[0] & 0xFF;
      return (b0 & 0xFE) == 0xFC || (b0 == 0xFE && (a[1] & 0xC0) == 0x80);
    }
    return false;
  }
}
