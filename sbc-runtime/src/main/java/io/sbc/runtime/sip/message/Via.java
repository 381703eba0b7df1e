package io.sbc.runtime.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** One via-parm of a Via header (RFC 3261 section 20.42), located by offsets in a buffer. */
public final class Via {
  // Grammar (RFC 3261 section 25.1): sent-protocol LWS sent-by *( SEMI via-params ), where
  // SLASH, COLON, SEMI, EQUAL and COMMA may carry LWS on both sides (RFC 4475 3.1.1.1 wsinv). The
  // parameters a proxy acts on (branch, received, rport, maddr, ttl) are located while parsing so
  // the response path needs no second scan; any other one is found by param(String).

  /** RFC 3261 section 8.1.1.7: a branch starting with this marks an RFC 3261 transaction id. */
  public static final String MAGIC_COOKIE = "z9hG4bK";

  private final byte[] b;
  private int start;
  private int end;
  private int protocolStart;
  private int transportStart;
  private int transportEnd;
  private int hostStart;
  private int hostEnd;
  private int port = -1;
  private int sentByEnd;
  private int paramsStart;
  private int branchValueStart = -1;
  private int branchValueEnd = -1;
  private int receivedStart = -1;
  private int receivedEnd = -1;
  private int receivedValueStart = -1;
  private int rportStart = -1;
  private int rportEnd = -1;
  private int rport = -1;
  private int maddrValueStart = -1;
  private int maddrValueEnd = -1;
  private int ttl = -1;

  private Via(byte[] b) {
    this.b = b;
  }

  /**
   * Parses a whole Via header value {@code b[from, to)}, which may hold several comma-separated
   * via-parms and folded lines, appending each to {@code out}.
   *
   * @return how many via-parms were appended
   * @throws SipParseException if any via-parm is malformed; {@code out} may then hold the ones
   *     before it
   */
  public static int parseAll(byte[] b, int from, int to, List<Via> out) throws SipParseException {
    int i = SipUri.skipWs(b, from, to);
    if (i >= to) {
      throw new SipParseException("Via: empty header value");
    }
    int n = 0;
    while (true) {
      Via v = new Via(b);
      i = v.parseOne(i, to);
      out.add(v);
      n++;
      i = SipUri.skipWs(b, i, to);
      if (i >= to) {
        return n;
      }
      if (b[i] != ',') {
        throw new SipParseException("Via: unexpected character after via-parm");
      }
      i = SipUri.skipWs(b, i + 1, to);
      if (i >= to || b[i] == ',') {
        throw new SipParseException("Via: empty via-parm");
      }
    }
  }

  /** Parses one via-parm at {@code i} (no leading LWS); returns the index after it. */
  private int parseOne(int i, int to) throws SipParseException {
    start = i;
    // sent-protocol = protocol-name SLASH protocol-version SLASH transport
    protocolStart = i;
    int e = SipUri.tokenEnd(b, i, to);
    if (e == i) {
      throw new SipParseException("Via: missing protocol name");
    }
    i = expectSlash(e, to, "Via: missing protocol version");
    e = SipUri.tokenEnd(b, i, to);
    if (e == i) {
      throw new SipParseException("Via: missing protocol version");
    }
    i = expectSlash(e, to, "Via: missing transport");
    e = SipUri.tokenEnd(b, i, to);
    if (e == i) {
      throw new SipParseException("Via: missing transport");
    }
    transportStart = i;
    transportEnd = e;
    i = SipUri.skipWs(b, e, to);
    if (i >= to || b[i] == ';' || b[i] == ',') {
      throw new SipParseException("Via: missing sent-by");
    }
    if (i == e) {
      throw new SipParseException("Via: missing LWS between transport and sent-by");
    }

    // sent-by = host [ COLON port ]
    hostStart = i;
    boolean hostNumeric = false;
    boolean bracketed = b[i] == '[';
    if (bracketed) {
      int j = i + 1;
      while (j < to && b[j] != ']') {
        j++;
      }
      if (j >= to) {
        throw new SipParseException("Via: unterminated '[' in sent-by");
      }
      // The same IPv6 grammar as URI hosts (RFC 5118 4.5's three-colon form read too).
      SipUri.checkIpv6(b, i + 1, j, "Via sent-by");
      hostEnd = j + 1;
    } else {
      int j = i;
      boolean numeric = true;
      while (j < to && SipUri.isHostChar(b[j])) {
        numeric &= (b[j] >= '0' && b[j] <= '9') || b[j] == '.';
        j++;
      }
      if (j == i) {
        throw new SipParseException("Via: invalid character in sent-by");
      }
      hostEnd = j;
      hostNumeric = numeric;
    }
    sentByEnd = hostEnd;
    i = SipUri.skipWs(b, hostEnd, to);
    if (i < to && b[i] == ':') {
      // COLON = SWS ":" SWS (RFC 3261 section 25.1), so LWS may surround the colon.
      int ps = SipUri.skipWs(b, i + 1, to);
      int pe = ps;
      while (pe < to && !SipUri.isWs(b[pe]) && b[pe] != ';' && b[pe] != ',') {
        if (b[pe] == ':') {
          // RFC 5118 section 4.2: an IPv6 sent-by must be an IPv6reference in brackets.
          throw new SipParseException("Via: IPv6 address without brackets in sent-by");
        }
        pe++;
      }
      if (pe == ps) {
        throw new SipParseException("Via: missing port after ':'");
      }
      port = parseNumber(ps, pe, 65535, "Via: bad port");
      if (port == 0) {
        throw new SipParseException("Via: bad port");
      }
      sentByEnd = pe;
      i = SipUri.skipWs(b, pe, to);
    }
    if (!bracketed) {
      // host = hostname / IPv4address, read as URI hosts are (strict IPv4, valid labels).
      SipUri.checkHost(b, hostStart, hostEnd, hostNumeric, "Via sent-by");
    }
    end = sentByEnd;
    paramsStart = sentByEnd;

    // *( SEMI via-params ), via-params = ttl / maddr / received / branch / extension
    while (i < to && b[i] == ';') {
      int semi = i;
      int ns = SipUri.skipWs(b, i + 1, to);
      int ne = SipUri.tokenEnd(b, ns, to);
      if (ne == ns) {
        throw new SipParseException("Via: empty parameter name");
      }
      int j = SipUri.skipWs(b, ne, to);
      int vs = -1;
      int ve = -1;
      int pend = ne;
      if (j < to && b[j] == '=') {
        vs = SipUri.skipWs(b, j + 1, to);
        ve = SipUri.genValueEnd(b, vs, to);
        if (ve < 0) {
          throw new SipParseException("Via: unterminated quoted string");
        }
        if (ve == vs) {
          throw new SipParseException("Via: empty parameter value");
        }
        pend = ve;
      }
      recordParam(semi, ns, ne, vs, ve, pend);
      end = pend;
      i = SipUri.skipWs(b, pend, to);
    }
    return end;
  }

  private void recordParam(int semi, int ns, int ne, int vs, int ve, int pend)
      throws SipParseException {
    int len = ne - ns;
    if (len == 6 && SipUri.eqIgnoreCase(b, ns, ne, "branch")) {
      if (vs < 0) {
        throw new SipParseException("Via: branch without value");
      }
      branchValueStart = vs;
      branchValueEnd = ve;
    } else if (len == 8 && SipUri.eqIgnoreCase(b, ns, ne, "received")) {
      if (vs < 0) {
        throw new SipParseException("Via: received without value");
      }
      // RFC 3261 section 18.2.1 / RFC 5118 section 4.7: an IPv4 or IPv6 address, bracketed or not.
      for (int k = vs; k < ve; k++) {
        byte c = b[k];
        if (!SipUri.isHex(c) && c != ':' && c != '.' && c != '[' && c != ']') {
          throw new SipParseException("Via: received is not an IP address");
        }
      }
      receivedStart = semi;
      receivedEnd = pend;
      receivedValueStart = vs;
    } else if (len == 5 && SipUri.eqIgnoreCase(b, ns, ne, "rport")) {
      // RFC 3581 section 3: response-port = "rport" [EQUAL 1*DIGIT].
      if (vs >= 0) {
        rport = parseNumber(vs, ve, 65535, "Via: bad rport");
        if (rport == 0) {
          throw new SipParseException("Via: bad rport");
        }
      }
      rportStart = semi;
      rportEnd = pend;
    } else if (len == 5 && SipUri.eqIgnoreCase(b, ns, ne, "maddr")) {
      if (vs < 0) {
        throw new SipParseException("Via: maddr without value");
      }
      maddrValueStart = vs;
      maddrValueEnd = ve;
    } else if (len == 3 && SipUri.eqIgnoreCase(b, ns, ne, "ttl")) {
      // RFC 3261 section 25.1: ttl = 1*3DIGIT ; 0 to 255
      if (vs < 0) {
        throw new SipParseException("Via: ttl without value");
      }
      ttl = parseNumber(vs, ve, 255, "Via: bad ttl");
    }
  }

  private int parseNumber(int s, int e, int max, String reason) throws SipParseException {
    int v = 0;
    for (int k = s; k < e; k++) {
      byte c = b[k];
      if (!SipUri.isDigit(c)) {
        throw new SipParseException(reason);
      }
      v = v * 10 + (c - '0');
      if (v > max) {
        throw new SipParseException(reason);
      }
    }
    return v;
  }

  private int expectSlash(int i, int to, String reason) throws SipParseException {
    i = SipUri.skipWs(b, i, to);
    if (i >= to || b[i] != '/') {
      throw new SipParseException(reason);
    }
    return SipUri.skipWs(b, i + 1, to);
  }

  // ---------------------------------------------------------------- accessors

  /** The protocol name and version as written, e.g. "SIP/2.0" (LWS around '/' kept). */
  public String protocol() {
    int e = SipUri.trimWsEnd(b, protocolStart, transportStart);
    // drop the trailing '/' and LWS before the transport
    e = SipUri.trimWsEnd(b, protocolStart, e - 1);
    return str(protocolStart, e);
  }

  /** The transport in upper case ("UDP", "TCP", "TLS", "SCTP", "WS", "WSS" or as given). */
  public String transport() {
    int s = transportStart;
    int e = transportEnd;
    // Constants for the usual transports keep the response path free of allocation.
    if (SipUri.eqIgnoreCase(b, s, e, "UDP")) {
      return "UDP";
    }
    if (SipUri.eqIgnoreCase(b, s, e, "TCP")) {
      return "TCP";
    }
    if (SipUri.eqIgnoreCase(b, s, e, "TLS")) {
      return "TLS";
    }
    if (SipUri.eqIgnoreCase(b, s, e, "WS")) {
      return "WS";
    }
    if (SipUri.eqIgnoreCase(b, s, e, "WSS")) {
      return "WSS";
    }
    if (SipUri.eqIgnoreCase(b, s, e, "SCTP")) {
      return "SCTP";
    }
    char[] c = new char[e - s];
    for (int k = s; k < e; k++) {
      byte x = b[k];
      c[k - s] = (char) (x >= 'a' && x <= 'z' ? x - 32 : x);
    }
    return new String(c);
  }

  /** The sent-by host as written, an IPv6 reference with its brackets. */
  public String host() {
    return str(hostStart, hostEnd);
  }

  /** The sent-by port, or -1 when absent. */
  public int port() {
    return port;
  }

  /** The branch parameter, or null (RFC 2543 peers send none, RFC 4475 3.2.1). */
  public String branch() {
    return branchValueStart < 0 ? null : str(branchValueStart, branchValueEnd);
  }

  /**
   * Whether the branch is an RFC 3261 transaction id: "z9hG4bK" (case-sensitive, section 8.1.1.7)
   * followed by at least one character; a bare cookie identifies nothing, so such a request is
   * matched as from an RFC 2543 element (RFC 4475 section 3.2.1 badbranch).
   */
  public boolean hasMagicCookieBranch() {
    if (branchValueStart < 0 || branchValueEnd - branchValueStart <= MAGIC_COOKIE.length()) {
      return false;
    }
    for (int k = 0; k < MAGIC_COOKIE.length(); k++) {
      if (b[branchValueStart + k] != MAGIC_COOKIE.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** The received parameter as written (IPv6 with or without brackets), or null. */
  public String received() {
    return receivedStart < 0 ? null : str(receivedValueStart, receivedEnd);
  }

  /** Whether the rport parameter is present, with or without a value (RFC 3581). */
  public boolean hasRport() {
    return rportStart >= 0;
  }

  /** The rport value, -1 when the parameter is a flag or absent. */
  public int rport() {
    return rport;
  }

  /** The maddr parameter, or null. */
  public String maddr() {
    return maddrValueStart < 0 ? null : str(maddrValueStart, maddrValueEnd);
  }

  /** The ttl parameter, -1 when absent. */
  public int ttl() {
    return ttl;
  }

  /**
   * The value of parameter {@code name} (case-insensitive) as written, quotes kept, "" for a flag,
   * null if absent.
   */
  public String param(String name) {
    long r = SipUri.findGenericParam(b, paramsStart, end, name);
    if (r < 0) {
      return null;
    }
    int s = (int) (r >>> 32);
    // quoted-string values may carry UTF-8 (RFC 3261 section 25.1 UTF8-NONASCII)
    return new String(b, s, (int) r - s, StandardCharsets.UTF_8);
  }

  public boolean hasParam(String name) {
    return SipUri.findGenericParam(b, paramsStart, end, name) >= 0;
  }

  /** Start of this via-parm (its protocol name). */
  public int start() {
    return start;
  }

  /** End of this via-parm, excluding trailing LWS and the comma. */
  public int end() {
    return end;
  }

  public int hostStart() {
    return hostStart;
  }

  public int hostEnd() {
    return hostEnd;
  }

  /** End of sent-by (after the port if any). */
  public int sentByEnd() {
    return sentByEnd;
  }

  public int branchValueStart() {
    return branchValueStart;
  }

  public int branchValueEnd() {
    return branchValueEnd;
  }

  /** Start of the {@code ;rport[=N]} parameter (at ';'), -1 if absent. */
  public int rportStart() {
    return rportStart;
  }

  /** End of the {@code ;rport[=N]} parameter, -1 if absent. */
  public int rportEnd() {
    return rportEnd;
  }

  /** Start of the {@code ;received=...} parameter (at ';'), -1 if absent. */
  public int receivedStart() {
    return receivedStart;
  }

  /** End of the {@code ;received=...} parameter, -1 if absent. */
  public int receivedEnd() {
    return receivedEnd;
  }

  /** The buffer the offsets refer to. */
  public byte[] buffer() {
    return b;
  }

  /** This via-parm as written. */
  @Override
  public String toString() {
    return str(start, end);
  }

  private String str(int s, int e) {
    return new String(b, s, e - s, StandardCharsets.ISO_8859_1);
  }
}
