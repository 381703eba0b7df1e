package io.sbc.runtime.sip.transport;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One address, port and transport the SBC serves, with the byte strings that name it in Via and
 * Record-Route headers precomputed.
 */
public final class Listener {
  private final String name;
  private final Protocol protocol;
  private final InetSocketAddress bind;
  private final String host;
  private final int port;
  private final byte[] viaPrefix;
  private final byte[] recordRoute;

  /**
   * @param advertisedHost the host written into Via and Record-Route (an address or a name); null
   *     to use the bind address
   */
  public Listener(String name, Protocol protocol, InetSocketAddress bind, String advertisedHost) {
    this.name = name;
    this.protocol = protocol;
    this.bind = bind;
    String h = advertisedHost;
    if (h == null) {
      h = bind.getAddress().getHostAddress();
      if (bind.getAddress() instanceof Inet6Address) {
        // Java writes ::1 as 0:0:0:0:0:0:0:1, which nobody else writes: the URIs peers send us
        // (OPTIONS sip:[::1]:5060) then did not match this listener, and our Via/Record-Route
        // were odd. RFC 5952 section 4 is the text form to write (RFC 5118 section 4.1).
        h = "[" + canonicalIpv6(bind.getAddress().getAddress()) + "]";
      }
    }
    this.host = h;
    this.port = bind.getPort();
    this.viaPrefix =
        ("Via: SIP/2.0/" + protocol.viaName() + " " + h + ":" + port + ";branch=")
            .getBytes(StandardCharsets.ISO_8859_1);
    String transportParam =
        protocol == Protocol.UDP ? "" : ";transport=" + protocol.name().toLowerCase();
    this.recordRoute =
        ("<sip:" + h + ":" + port + transportParam + ";lr>").getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * The RFC 5952 section 4 text of a 16-byte IPv6 address: lowercase hex without leading zeros, the
   * longest run of two or more zero fields (the first of equal runs) shortened to "::", no zone.
   */
  static String canonicalIpv6(byte[] a) {
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

  public String name() {
    return name;
  }

  public Protocol protocol() {
    return protocol;
  }

  public InetSocketAddress bindAddress() {
    return bind;
  }

  /** The host as it appears in Via and Record-Route (IPv6 in brackets). */
  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public boolean isIpv6() {
    return bind.getAddress() instanceof Inet6Address;
  }

  /** "Via: SIP/2.0/UDP host:port;branch=": the branch value and CRLF follow. */
  public byte[] viaPrefix() {
    return viaPrefix;
  }

  /** The Record-Route name-addr that brings in-dialog requests back to this listener. */
  public byte[] recordRoute() {
    return recordRoute;
  }

  @Override
  public String toString() {
    return name + "(" + protocol + " " + host + ":" + port + ")";
  }
}
