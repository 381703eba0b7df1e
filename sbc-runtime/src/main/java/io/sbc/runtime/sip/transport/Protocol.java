package io.sbc.runtime.sip.transport;

/**
 * The transports a listener can serve, with the names Via and URIs use (RFC 3261 section 18).
 *
 * <p>New transports are added at the end: sealed Record-Route tokens carry the ordinal.
 */
public enum Protocol {
  UDP("UDP", false),
  TCP("TCP", true),
  /** TLS over TCP (RFC 3261 section 26.2; "TLS" in Via, transport=tls in URIs). */
  TLS("TLS", true),
  /** SIP over WebSocket (RFC 7118): the SBC only accepts these connections, it never opens one. */
  WS("WS", true),
  /** SIP over secure WebSocket (RFC 7118): WebSocket inside TLS. */
  WSS("WSS", true);

  private final String viaName;
  private final boolean reliable;

  Protocol(String viaName, boolean reliable) {
    this.viaName = viaName;
    this.reliable = reliable;
  }

  /** The transport token in a Via sent-protocol. */
  public String viaName() {
    return viaName;
  }

  /**
   * The value of a URI's transport parameter that names this transport (RFC 3261 19.1.1); "ws" for
   * WSS too (RFC 7118 section 7: secure WebSocket is {@code sips:} or {@code transport=ws}, only
   * Via says WSS).
   */
  public String uriName() {
    return this == WSS ? "ws" : viaName.toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether retransmission timers stop at the transport (section 17.1.1.2: reliable). */
  public boolean reliable() {
    return reliable;
  }

  /**
   * Whether this is SIP over WebSocket: one message per frame, and a peer reached only through a
   * connection it opened (RFC 7118 section 5: a WebSocket client cannot be connected to).
   */
  public boolean websocket() {
    return this == WS || this == WSS;
  }

  /** Whether the transport is TLS, as a sips: URI requires on every hop (RFC 5630 section 3). */
  public boolean secure() {
    return this == TLS || this == WSS;
  }

  /** The protocol a URI's transport parameter names, or null for one not served. */
  public static Protocol fromUriParam(String transport) {
    if (transport == null || transport.equalsIgnoreCase("udp")) {
      return UDP;
    }
    if (transport.equalsIgnoreCase("tcp")) {
      return TCP;
    }
    if (transport.equalsIgnoreCase("ws")) {
      return WS;
    }
    if (transport.equalsIgnoreCase("wss")) {
      return WSS;
    }
    if (transport.equalsIgnoreCase("tls")) {
      return TLS;
    }
    return null;
  }
}
