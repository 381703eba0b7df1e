package io.sbc.runtime.sip.locate;

import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.transport.Protocol;

/**
 * What a SIP URI says about where its requests go before any lookup (RFC 3263 section 4.1 and RFC
 * 3261 section 19.1.1): the host (maddr overrides it), the port if given, and the transport.
 *
 * @param host the host to resolve, as the URI writes it (IPv6 in brackets)
 * @param port the explicit port, or -1
 * @param protocol the transport the URI asks for, or null when it names none (to be chosen)
 * @param secure a sips: URI (TLS on every hop)
 * @param flow for a hop sealed as a flow token (RFC 5626), the number of the connection it is
 *     reached through, at {@code host} and {@code port}; 0 otherwise
 */
public record UriTarget(String host, int port, Protocol protocol, boolean secure, int flow) {
  public UriTarget(String host, int port, Protocol protocol, boolean secure) {
    this(host, port, protocol, secure, 0);
  }

  /** The default port of a transport (RFC 3261 section 19.1.1: 5060, and 5061 for TLS). */
  public static int defaultPort(boolean secure) {
    return secure ? 5061 : 5060;
  }

  /**
   * The transport this target is reached over once chosen: a sips: URI takes TLS whatever transport
   * it names but UDP (RFC 5630 section 3: "transport=tcp" in a sips: URI is TLS over TCP; RFC 3261
   * 26.2: TLS needs a reliable transport).
   */
  public Protocol effective(Protocol chosen) {
    return secure && chosen != Protocol.UDP ? Protocol.TLS : chosen;
  }

  /**
   * @return the target, or null with the problem in {@code problem[0]} for a URI that no request
   *     can be sent to (not sip: or sips:, an unknown transport)
   */
  public static UriTarget of(SipUri uri, String[] problem) {
    if (uri.scheme() != SipUri.Scheme.SIP && uri.scheme() != SipUri.Scheme.SIPS) {
      problem[0] = "not a sip: URI";
      return null;
    }
    boolean secure = uri.scheme() == SipUri.Scheme.SIPS;
    String transport = uri.transport();
    Protocol p = null;
    if (transport != null) {
      p = Protocol.fromUriParam(transport);
      if (p == null) {
        problem[0] = "transport " + transport + " is not served";
        return null;
      }
      if (secure) {
        if (p == Protocol.UDP) {
          problem[0] = "sips: over UDP is not possible (TLS needs a stream)";
          return null;
        }
        p = Protocol.TLS;
      }
    }
    String host = uri.maddr() != null ? uri.maddr() : uri.host();
    if (host == null || host.isEmpty()) {
      problem[0] = "no host";
      return null;
    }
    return new UriTarget(host, uri.port(), p, secure);
  }
}
