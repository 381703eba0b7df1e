package io.sbc.runtime.sip.locate;

import io.sbc.api.syntax.IpLiteral;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The resolver for IP literals (RFC 3263 section 4.2: a numeric host needs no lookup); a host name
 * gets no hops, with the reason. Answers synchronously.
 */
public final class LiteralResolver implements NextHopResolver {
  @Override
  public void resolve(UriTarget t, Loop loop, Answer answer) {
    Hop h = literalHop(t);
    if (h == null) {
      answer.resolved(List.of(), unresolvable(t));
      return;
    }
    answer.resolved(List.of(h), null);
  }

  @Override
  public void resolveSentBy(String host, int port, Protocol protocol, Loop loop, Answer answer) {
    InetAddress a = IpLiteral.toInetAddress(host);
    if (a == null) {
      answer.resolved(List.of(), "sent-by " + host + " is not an IP address");
      return;
    }
    answer.resolved(
        List.of(new Hop(new InetSocketAddress(a, port > 0 ? port : 5060), protocol, null)), null);
  }

  /**
   * The one hop of a target whose host is an IP literal (RFC 3263 section 4.1: UDP when no
   * transport is named; section 4.2: the default port), or null for a host name or a transport that
   * is not served.
   */
  public static Hop literalHop(UriTarget t) {
    InetAddress a = IpLiteral.toInetAddress(t.host());
    if (a == null) {
      return null;
    }
    // RFC 3263 4.1: a numeric host without transport is UDP, TLS for a sips: URI.
    Protocol p = t.protocol() != null ? t.protocol() : t.secure() ? Protocol.TLS : Protocol.UDP;
    int port = t.port() > 0 ? t.port() : UriTarget.defaultPort(p == Protocol.TLS);
    return new Hop(new InetSocketAddress(a, port), p, null, t.flow());
  }

  static String unresolvable(UriTarget t) {
    return "host " + t.host() + " is not an IP address and no DNS resolver is configured";
  }
}
