package io.sbc.runtime.sip.proxy;

import io.sbc.runtime.sip.locate.Hop;
import io.sbc.runtime.sip.locate.LiteralResolver;
import io.sbc.runtime.sip.locate.UriTarget;
import io.sbc.runtime.sip.message.SipParseException;
import io.sbc.runtime.sip.message.SipUri;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One destination a request may be forwarded to, as routing chose it: the URI, what it names before
 * any lookup, its hop when that needs none (an IP literal), and who configured it.
 *
 * @param uri the destination URI as written (for logs, status and the Request-URI of probes)
 * @param where what the URI names (host, port, transport)
 * @param hop the one hop of an IP literal, known without a lookup; null when the host must be
 *     resolved ({@link io.sbc.runtime.sip.locate.NextHopResolver})
 * @param owner who configured the target (a dispatcher's destination), for {@link CallEvents}
 *     subscribers; null for none
 * @param requestUri the Request-URI of the copy sent to this target (a registered contact, RFC 3261
 *     section 16.6 step 2), or null to leave it as it is
 * @param routes Route values the copy sent to this target carries first (a registered Path, RFC
 *     3327 section 5.3), each a name-addr; empty for none
 */
public record Target(
    String uri, UriTarget where, Hop hop, Object owner, String requestUri, List<String> routes) {

  public Target {
    routes = routes == null ? List.of() : routes;
  }

  public Target(String uri, UriTarget where, Hop hop, Object owner) {
    this(uri, where, hop, owner, null, List.of());
  }

  /**
   * A registered contact: the copy's Request-URI becomes {@code contact}, it goes to {@code hop}
   * (where the contact registered from, when behind NAT or over a connection) through {@code
   * routes}.
   */
  public static Target contact(String contact, UriTarget where, Hop hop, List<String> routes) {
    return new Target(contact, where, hop, null, contact, routes);
  }

  /**
   * Parses a destination URI.
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static Target parse(String uri, Object owner) {
    byte[] b = uri.getBytes(StandardCharsets.UTF_8);
    SipUri u;
    try {
      u = SipUri.parse(b, 0, b.length);
    } catch (SipParseException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    String[] problem = new String[1];
    UriTarget w = UriTarget.of(u, problem);
    if (w == null) {
      throw new IllegalArgumentException(problem[0]);
    }
    return new Target(uri, w, LiteralResolver.literalHop(w), owner);
  }

  /**
   * A configured destination (a route's backend, a dispatcher's destination): a sip: URI without
   * headers; its host an IP literal (its hop known now) or a host name, kept as a name and resolved
   * when a request goes to it (RFC 3263, by the records' TTL).
   *
   * @throws IllegalArgumentException naming what is wrong with it
   */
  public static Target destination(String uri, Object owner) {
    if (uri.indexOf('?') >= 0) {
      throw new IllegalArgumentException("must not have headers (?...)");
    }
    Target t = parse(uri, owner);
    if (t.hop() == null && !io.sbc.api.syntax.HostName.isValid(t.where().host())) {
      throw new IllegalArgumentException(
          "host must be an IP address (IPv6 in brackets) or a host name");
    }
    return t;
  }

  /** A target that is a hop already (a sealed in-dialog route, a response's Via). */
  public static Target of(UriTarget where, Hop hop) {
    return new Target(null, where, hop, null);
  }

  /** The same destination with another owner. */
  public Target withOwner(Object o) {
    return new Target(uri, where, hop, o, requestUri, routes);
  }

  @Override
  public String toString() {
    return uri != null ? uri : where.host() + (where.port() > 0 ? ":" + where.port() : "");
  }
}
