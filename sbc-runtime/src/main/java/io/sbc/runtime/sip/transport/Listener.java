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
        int zone = h.indexOf('%');
        h = "[" + (zone < 0 ? h : h.substring(0, zone)) + "]";
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
