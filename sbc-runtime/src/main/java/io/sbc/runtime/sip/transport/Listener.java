package io.sbc.runtime.sip.transport;

import io.sbc.api.syntax.IpLiteral;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One address, port and transport the SBC serves, with the byte strings that name it in Via and
 * Record-Route headers precomputed.
 *
 * <p>What a listener advertises, in order: its configured advertised address; for a wildcard bind
 * (0.0.0.0, ::) an address the environment gives (in a cluster, the pod's); otherwise the address
 * of the interface a message leaves from, which the sender supplies per message ({@link
 * #names(InetAddress)}). Via, Record-Route and Contact never say 0.0.0.0 or ::.
 */
public final class Listener {
  /** The advertised host of one local address, as bytes ready to copy into a message. */
  public record Names(String host, byte[] viaPrefix, byte[] recordRouteStart) {}

  private static final int MAX_LOCAL_NAMES = 64;

  private final String name;
  private final Protocol protocol;
  private final InetSocketAddress bind;
  private final int port;
  private final int advertisedPort;
  private final Names fixed;
  private final ConcurrentHashMap<InetAddress, Names> byLocal = new ConcurrentHashMap<>();

  /** Computed once: the transports look their sockets up by listener on every send. */
  private final int hash;

  /**
   * @param advertisedHost the host written into Via and Record-Route (an address or a name); null
   *     to use the bind address, or for a wildcard bind the address a message leaves from
   */
  public Listener(String name, Protocol protocol, InetSocketAddress bind, String advertisedHost) {
    this(name, protocol, bind, advertisedHost, bind.getPort());
  }

  /**
   * @param advertisedPort the port written into Via, Record-Route and Contact: the bind port, or
   *     where peers reach the listener through a translation (a NodePort Service), that port
   */
  public Listener(
      String name,
      Protocol protocol,
      InetSocketAddress bind,
      String advertisedHost,
      int advertisedPort) {
    this.name = name;
    this.protocol = protocol;
    this.bind = bind;
    this.port = bind.getPort();
    this.advertisedPort = advertisedPort > 0 ? advertisedPort : port;
    String h = advertisedHost;
    if (h == null && !bind.getAddress().isAnyLocalAddress()) {
      h = IpLiteral.uriHost(bind.getAddress());
    }
    this.fixed = h == null ? null : namesOf(h);
    this.hash = java.util.Objects.hash(name, protocol, bind);
  }

  private Names namesOf(String host) {
    String transportParam = protocol == Protocol.UDP ? "" : ";transport=" + protocol.uriName();
    return new Names(
        host,
        // rport (RFC 3581): a server that honours it answers to the socket this replica sent
        // from, whatever address the Via names (a Service's, behind which several replicas run).
        ("Via: SIP/2.0/"
                + protocol.viaName()
                + " "
                + host
                + ":"
                + advertisedPort
                + (protocol == Protocol.UDP ? ";rport" : "")
                + ";branch=")
            .getBytes(StandardCharsets.ISO_8859_1),
        ("<sip:" + host + ":" + advertisedPort + transportParam + ";lr")
            .getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * What this listener advertises when a message leaves from {@code local} (the interface address
   * the kernel picks for the destination); {@code local} only matters for a wildcard listener
   * without an advertised address.
   */
  public Names names(InetAddress local) {
    if (fixed != null) {
      return fixed;
    }
    if (local == null || local.isAnyLocalAddress()) {
      // No route to tell: the loopback of the family is still an address, never the wildcard.
      local = InetAddress.getLoopbackAddress();
      if (isIpv6()) {
        local = IpLiteral.toInetAddress("::1");
      }
    }
    Names n = byLocal.get(local);
    if (n == null) {
      if (byLocal.size() >= MAX_LOCAL_NAMES) {
        byLocal.clear(); // interface addresses are few; a flood of them is not worth keeping
      }
      n = namesOf(IpLiteral.uriHost(local));
      byLocal.put(local, n);
    }
    return n;
  }

  /** Whether the advertised host depends on the interface a message leaves from. */
  public boolean advertisesInterfaceAddress() {
    return fixed == null;
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

  /**
   * The host as it appears in Via and Record-Route (IPv6 in brackets), or null for a wildcard
   * listener that advertises the address of the interface a message leaves from.
   */
  public String host() {
    return fixed == null ? null : fixed.host();
  }

  /** The port the listener is bound to. */
  public int port() {
    return port;
  }

  /**
   * The port peers send to, as Via, Record-Route and Contact give it: the bind port unless a
   * translation in front of the pod (a NodePort Service) makes it another.
   */
  public int advertisedPort() {
    return advertisedPort;
  }

  public boolean isIpv6() {
    return bind.getAddress() instanceof Inet6Address;
  }

  /** "Via: SIP/2.0/UDP host:port;rport;branch=" of a listener with a fixed host. */
  public byte[] viaPrefix() {
    return names(null).viaPrefix();
  }

  /**
   * Listeners are values: the same name, transport, bind address and advertised host are the same
   * listener, also when a reload compiled them anew (the transports find their sockets by it).
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Listener l
        && name.equals(l.name)
        && protocol == l.protocol
        && bind.equals(l.bind)
        && advertisedPort == l.advertisedPort
        && java.util.Objects.equals(host(), l.host());
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    String h = fixed != null ? fixed.host() : IpLiteral.uriHost(bind.getAddress());
    return name
        + "("
        + protocol
        + " "
        + h
        + ":"
        + port
        + (advertisedPort != port ? " advertised :" + advertisedPort : "")
        + ")";
  }
}
