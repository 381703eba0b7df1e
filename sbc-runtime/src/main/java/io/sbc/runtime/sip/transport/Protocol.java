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
  TLS("TLS", true);

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

  /** The value of a URI's transport parameter that names this transport (RFC 3261 19.1.1). */
  public String uriName() {
    return viaName.toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether retransmission timers stop at the transport (section 17.1.1.2: reliable). */
  public boolean reliable() {
    return reliable;
  }

  /** Whether the transport is TLS, as a sips: URI requires on every hop (RFC 5630 section 3). */
  public boolean secure() {
    return this == TLS;
  }

  /** The protocol a URI's transport parameter names, or null for one not served. */
  public static Protocol fromUriParam(String transport) {
    if (transport == null || transport.equalsIgnoreCase("udp")) {
      return UDP;
    }
    if (transport.equalsIgnoreCase("tcp")) {
      return TCP;
    }
    if (transport.equalsIgnoreCase("tls")) {
      return TLS;
    }
    return null;
  }
}
