package io.sbc.runtime.sip.message;

import io.sbc.api.syntax.HostName;
import io.sbc.api.syntax.IpLiteral;
import java.nio.charset.StandardCharsets;

/** A SIP, SIPS or tel URI, or an opaque URI of another scheme, located by offsets in a buffer. */
public final class SipUri {
  // Parsing checks the RFC 3261 section 19.1 / 25.1 structure and records absolute offsets only;
  // strings are made on demand. For TEL the telephone-subscriber (RFC 3966) is reported as the
  // user part and there is no host; for OTHER only start/end and the scheme are meaningful, since
  // whether that deserves a 416 (RFC 3261 section 8.2.2.1) is the caller's decision. Headers are
  // parsed, not refused: RFC 3261 section 19.1.5 forbids them only in a Request-URI, so the
  // request-line parser checks hasHeaders(). The package-private static helpers at the bottom are
  // the lexical primitives (LWS, token, quoted-string, generic-param) shared by this package.

  /** The URI schemes this proxy understands; everything else is {@link #OTHER}. */
  public enum Scheme {
    SIP,
    SIPS,
    TEL,
    OTHER
  }

  private final byte[] b;
  private final Scheme scheme;
  private final int start;
  private final int end;
  private final int userStart;
  private final int userEnd;
  private final int passwordStart;
  private final int passwordEnd;
  private final int hostStart;
  private final int hostEnd;
  private final int port;
  private final int portEnd;
  private final int paramsStart;
  private final int paramsEnd;
  private final int headersStart;

  private SipUri(
      byte[] b,
      Scheme scheme,
      int start,
      int end,
      int userStart,
      int userEnd,
      int passwordStart,
      int passwordEnd,
      int hostStart,
      int hostEnd,
      int port,
      int portEnd,
      int paramsStart,
      int paramsEnd,
      int headersStart) {
    this.b = b;
    this.scheme = scheme;
    this.start = start;
    this.end = end;
    this.userStart = userStart;
    this.userEnd = userEnd;
    this.passwordStart = passwordStart;
    this.passwordEnd = passwordEnd;
    this.hostStart = hostStart;
    this.hostEnd = hostEnd;
    this.port = port;
    this.portEnd = portEnd;
    this.paramsStart = paramsStart;
    this.paramsEnd = paramsEnd;
    this.headersStart = headersStart;
  }

  /** Parses {@code b[from, to)} as one URI; failure reasons start with "URI: ". */
  public static SipUri parse(byte[] b, int from, int to) throws SipParseException {
    return parse(b, from, to, "URI");
  }

  /**
   * Parses {@code b[from, to)} as one URI; {@code what} (e.g. "Request-URI", "Contact") prefixes
   * the failure reason, which becomes a 400 reason phrase.
   */
  public static SipUri parse(byte[] b, int from, int to, String what) throws SipParseException {
    if (b == null || from < 0 || to > b.length || from >= to) {
      throw new SipParseException(what + ": empty URI");
    }
    // RFC 3261 section 25.1: a URI is a run of visible ASCII; LWS inside it (RFC 4475 3.1.2.8
    // lwsruri) and '<' '>' (3.1.2.7 ltgtruri) mean the element is malformed, not a longer URI.
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        throw new SipParseException(what + ": whitespace inside URI");
      }
      if (c < 0) {
        throw new SipParseException(what + ": non-ASCII octet inside URI");
      }
      if (c < 0x20 || c == 0x7f) {
        throw new SipParseException(what + ": control character inside URI");
      }
      if (c == '<' || c == '>') {
        throw new SipParseException(what + ": '<' or '>' inside URI");
      }
    }
    int colon = -1;
    // RFC 3986 section 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c == ':') {
        colon = i;
        break;
      }
      boolean ok = isAlpha(c) || (i > from && (isDigit(c) || c == '+' || c == '-' || c == '.'));
      if (!ok) {
        break;
      }
    }
    if (colon <= from) {
      throw new SipParseException(what + ": missing URI scheme");
    }
    Scheme scheme = schemeOf(b, from, colon);
    if (colon + 1 >= to) {
      throw new SipParseException(what + ": nothing after URI scheme");
    }
    switch (scheme) {
      case SIP:
      case SIPS:
        return parseSip(b, from, to, colon + 1, scheme, what);
      case TEL:
        return parseTel(b, from, to, colon + 1, what);
      default:
        return new SipUri(b, Scheme.OTHER, from, to, -1, -1, -1, -1, -1, -1, -1, to, to, to, -1);
    }
  }

  private static SipUri parseSip(byte[] b, int from, int to, int i, Scheme scheme, String what)
      throws SipParseException {
    // userinfo ends at the first '@'. The user part may itself hold ';', '?', '/' and ','
    // (RFC 3261 section 25.1 user-unreserved; RFC 4475 3.1.1.9 semiuri, 3.1.1.2 intmeth), so the
    // '@' is searched first; '[' cannot occur in userinfo, so one before any '@' means an IPv6
    // host and no userinfo.
    int at = -1;
    for (int j = i; j < to; j++) {
      byte c = b[j];
      if (c == '@') {
        at = j;
        break;
      }
      if (c == '[') {
        break;
      }
    }
    int userStart = -1;
    int userEnd = -1;
    int passwordStart = -1;
    int passwordEnd = -1;
    if (at >= 0) {
      userStart = i;
      userEnd = at;
      for (int j = i; j < at; j++) {
        if (b[j] == ':') {
          userEnd = j;
          passwordStart = j + 1;
          passwordEnd = at;
          break;
        }
      }
      if (userEnd == userStart) {
        throw new SipParseException(what + ": empty user part");
      }
      checkEscapes(b, userStart, at, what, "user part");
      i = at + 1;
    }

    // host = hostname / IPv4address / IPv6reference (RFC 3261 section 25.1).
    int hostStart = i;
    int hostEnd;
    boolean bracketed = false;
    boolean numeric = true; // only digits and dots: an IPv4address or nothing
    if (i >= to || b[i] == ';' || b[i] == '?' || b[i] == ':') {
      throw new SipParseException(what + ": empty host");
    }
    if (b[i] == '[') {
      int close = -1;
      for (int j = i + 1; j < to; j++) {
        if (b[j] == ']') {
          close = j;
          break;
        }
      }
      if (close < 0) {
        throw new SipParseException(what + ": unterminated '[' in host");
      }
      checkIpv6(b, i + 1, close, what);
      hostEnd = close + 1;
      bracketed = true;
      if (hostEnd < to && b[hostEnd] != ':' && b[hostEnd] != ';' && b[hostEnd] != '?') {
        throw new SipParseException(what + ": unexpected character after IPv6 reference");
      }
    } else {
      int j = i;
      while (j < to) {
        byte c = b[j];
        if (c == ':' || c == ';' || c == '?') {
          break;
        }
        if (!isHostChar(c)) {
          throw new SipParseException(what + ": invalid character in host");
        }
        numeric &= isDigit(c) || c == '.';
        j++;
      }
      hostEnd = j;
    }

    int port = -1;
    int portEnd = hostEnd;
    i = hostEnd;
    if (i < to && b[i] == ':') {
      int ps = i + 1;
      int j = ps;
      while (j < to && b[j] != ';' && b[j] != '?') {
        if (b[j] == ':' && !bracketed) {
          // RFC 5118 section 4.2 (ipv6-bad): an IPv6 address must be bracketed in a SIP URI.
          throw new SipParseException(what + ": IPv6 address without brackets");
        }
        j++;
      }
      port = parsePort(b, ps, j, what);
      portEnd = j;
      i = j;
    }
    if (!bracketed) {
      checkHost(b, hostStart, hostEnd, numeric, what);
    }

    int paramsStart = i;
    if (i < to && b[i] == ';') {
      i = parseUriParams(b, i, to, true, what);
    }
    int paramsEnd = i;
    int headersStart = -1;
    if (i < to) {
      // Only '?' can be here: every loop above stops at ';', '?' or the end.
      headersStart = i;
      checkHeaders(b, i + 1, to, what);
    }
    return new SipUri(
        b,
        scheme,
        from,
        to,
        userStart,
        userEnd,
        passwordStart,
        passwordEnd,
        hostStart,
        hostEnd,
        port,
        portEnd,
        paramsStart,
        paramsEnd,
        headersStart);
  }

  private static SipUri parseTel(byte[] b, int from, int to, int i, String what)
      throws SipParseException {
    // RFC 3966 section 3: telephone-subscriber *par; digits, hex (local numbers), '*', '#', '+'
    // and the visual separators - . ( ).
    int ns = i;
    while (i < to && b[i] != ';') {
      byte c = b[i];
      boolean ok =
          isDigit(c)
              || isHex(c)
              || c == '*'
              || c == '#'
              || c == '+'
              || c == '-'
              || c == '.'
              || c == '('
              || c == ')';
      if (!ok) {
        throw new SipParseException(what + ": invalid character in telephone number");
      }
      i++;
    }
    if (i == ns) {
      throw new SipParseException(what + ": empty telephone number");
    }
    int ne = i;
    if (i < to) {
      i = parseUriParams(b, i, to, false, what);
    }
    return new SipUri(b, Scheme.TEL, from, to, ns, ne, -1, -1, -1, -1, -1, ne, ne, i, -1);
  }

  /** Checks {@code ;name[=value]} parameters from {@code b[i] == ';'}; returns where they end. */
  private static int parseUriParams(byte[] b, int i, int to, boolean headersMayFollow, String what)
      throws SipParseException {
    while (i < to && b[i] == ';') {
      int ns = ++i;
      while (i < to && b[i] != ';' && b[i] != '=' && b[i] != '?') {
        i++;
      }
      if (i == ns) {
        // RFC 3261 section 25.1: pname = 1*paramchar; this also catches "sip:a@b;" left over
        // by LWS before a parameter (RFC 4475 3.1.2.8 lwsruri).
        throw new SipParseException(what + ": empty URI parameter name");
      }
      checkEscapes(b, ns, i, what, "URI parameter");
      if (i < to && b[i] == '=') {
        int vs = ++i;
        while (i < to && b[i] != ';' && b[i] != '?') {
          i++;
        }
        checkEscapes(b, vs, i, what, "URI parameter");
      }
      if (i < to && b[i] == '?' && !headersMayFollow) {
        throw new SipParseException(what + ": '?' inside tel URI");
      }
    }
    return i;
  }

  private static void checkHeaders(byte[] b, int i, int to, String what) throws SipParseException {
    // RFC 3261 section 25.1: headers = "?" header *( "&" header ), header = hname "=" hvalue.
    if (i >= to) {
      throw new SipParseException(what + ": empty URI headers");
    }
    while (i <= to) {
      int hs = i;
      int eq = -1;
      while (i < to && b[i] != '&') {
        if (b[i] == '=' && eq < 0) {
          eq = i;
        }
        if (b[i] == '?') {
          throw new SipParseException(what + ": '?' inside URI headers");
        }
        i++;
      }
      if (eq <= hs) {
        throw new SipParseException(what + ": URI header without name or '='");
      }
      checkEscapes(b, hs, i, what, "URI header");
      i++;
    }
  }

  private static int parsePort(byte[] b, int from, int to, String what) throws SipParseException {
    if (from == to) {
      throw new SipParseException(what + ": empty port");
    }
    int v = 0;
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (!isDigit(c)) {
        throw new SipParseException(what + ": port is not a number");
      }
      v = v * 10 + (c - '0');
      if (v > 65535) {
        throw new SipParseException(what + ": port out of range");
      }
    }
    if (v == 0) {
      throw new SipParseException(what + ": port out of range");
    }
    return v;
  }

  static void checkIpv6(byte[] b, int from, int to, String what) throws SipParseException {
    // RFC 4291 2.2 text (RFC 5954 made RFC 3986's IPv6address SIP's). The one extension: RFC 5118
    // section 4.5 asks for robustness towards "2001:db8:::192.0.2.1", which RFC 3261's ABNF
    // admitted, so the three-colon form before a dotted IPv4 part is read too. No zone ids.
    if (from == to) {
      throw new SipParseException(what + ": empty IPv6 reference");
    }
    if (!IpLiteral.isIpv6(b, from, to, true)) {
      throw new SipParseException(what + ": invalid IPv6 reference");
    }
  }

  static void checkHost(byte[] b, int from, int to, boolean numeric, String what)
      throws SipParseException {
    // RFC 3261 section 25.1: host = hostname / IPv4address. A toplabel starts with a letter, so a
    // host of digits and dots can only be an IPv4 address, read strictly (four octets 0..255, no
    // leading zeros, which inet_aton reads as octal): "1.2.3" or "010.0.0.1" would otherwise mean
    // one address here and another at the next hop. '_' is tolerated in names (deployed DNS names
    // carry it).
    if (numeric) {
      if (!IpLiteral.isIpv4(b, from, to)) {
        throw new SipParseException(what + ": invalid IPv4 address in host");
      }
    } else if (!HostName.isValid(b, from, to, true)) {
      throw new SipParseException(what + ": invalid host name");
    }
  }

  private static void checkEscapes(byte[] b, int from, int to, String what, String part)
      throws SipParseException {
    // RFC 3261 section 25.1: escaped = "%" HEXDIG HEXDIG; "%00" is legal (RFC 4475 3.1.1.4).
    for (int i = from; i < to; i++) {
      if (b[i] == '%') {
        if (i + 2 >= to || !isHex(b[i + 1]) || !isHex(b[i + 2])) {
          throw new SipParseException(what + ": bad % escape in " + part);
        }
        i += 2;
      }
    }
  }

  // ---------------------------------------------------------------- scheme helpers

  /** The scheme named by {@code b[from, to)} (the text before ':'), case-insensitively. */
  public static Scheme schemeOf(byte[] b, int from, int to) {
    int n = to - from;
    if (n == 3 && eqIgnoreCase(b, from, to, "sip")) {
      return Scheme.SIP;
    }
    if (n == 4 && eqIgnoreCase(b, from, to, "sips")) {
      return Scheme.SIPS;
    }
    if (n == 3 && eqIgnoreCase(b, from, to, "tel")) {
      return Scheme.TEL;
    }
    return Scheme.OTHER;
  }

  /** Whether {@code b[from, to)} starts with "sip:" or "sips:" (any case). */
  public static boolean isSipScheme(byte[] b, int from, int to) {
    return startsWithIgnoreCase(b, from, to, "sip:") || startsWithIgnoreCase(b, from, to, "sips:");
  }

  /** Whether {@code b[from, to)} starts with "sips:" (any case). */
  public static boolean isSipsScheme(byte[] b, int from, int to) {
    return startsWithIgnoreCase(b, from, to, "sips:");
  }

  /** Whether {@code b[from, to)} starts with "tel:" (any case). */
  public static boolean isTelScheme(byte[] b, int from, int to) {
    return startsWithIgnoreCase(b, from, to, "tel:");
  }

  // ---------------------------------------------------------------- accessors

  public Scheme scheme() {
    return scheme;
  }

  /** Whether the scheme is sip or sips. */
  public boolean isSip() {
    return scheme == Scheme.SIP || scheme == Scheme.SIPS;
  }

  /** The user part as written (escapes kept), the number of a tel URI, or null. */
  public String user() {
    return userStart < 0 ? null : str(userStart, userEnd);
  }

  /** The password as written, or null; RFC 3261 section 19.1.1 discourages its use. */
  public String password() {
    return passwordStart < 0 ? null : str(passwordStart, passwordEnd);
  }

  /** The host as written, an IPv6 reference with its brackets; null for tel and other schemes. */
  public String host() {
    return hostStart < 0 ? null : str(hostStart, hostEnd);
  }

  /** Whether the host is a bracketed IPv6 reference. */
  public boolean isIpv6Host() {
    return hostStart >= 0 && b[hostStart] == '[';
  }

  /** The port, or -1 when the URI names none. */
  public int port() {
    return port;
  }

  /**
   * The value of the URI parameter {@code name} (compared case-insensitively, RFC 3261 section
   * 19.1.4) as written, "" for a parameter without value, null if absent.
   */
  public String param(String name) {
    long r = findUriParam(name);
    if (r < 0) {
      return null;
    }
    return str((int) (r >>> 32), (int) r);
  }

  public boolean hasParam(String name) {
    return findUriParam(name) >= 0;
  }

  /** The transport parameter in lower case (RFC 3261 section 19.1.1), or null. */
  public String transport() {
    long r = findUriParam("transport");
    if (r < 0) {
      return null;
    }
    int s = (int) (r >>> 32);
    int e = (int) r;
    // The common values are returned as constants so routing does not allocate.
    if (eqIgnoreCase(b, s, e, "udp")) {
      return "udp";
    }
    if (eqIgnoreCase(b, s, e, "tcp")) {
      return "tcp";
    }
    if (eqIgnoreCase(b, s, e, "tls")) {
      return "tls";
    }
    if (eqIgnoreCase(b, s, e, "ws")) {
      return "ws";
    }
    if (eqIgnoreCase(b, s, e, "wss")) {
      return "wss";
    }
    if (eqIgnoreCase(b, s, e, "sctp")) {
      return "sctp";
    }
    return lower(s, e);
  }

  /** The maddr parameter, or null. */
  public String maddr() {
    return param("maddr");
  }

  /** Whether the URI carries the lr parameter (RFC 3261 section 16.12.1.1 loose routing). */
  public boolean lr() {
    return findUriParam("lr") >= 0;
  }

  /** The user parameter ("phone", "ip"), or null. */
  public String userParam() {
    return param("user");
  }

  public boolean hasHeaders() {
    return headersStart >= 0;
  }

  /** Where the URI ends without its headers: the '?' if it has any, else {@link #end()}. */
  public int endWithoutHeaders() {
    return headersStart < 0 ? end : headersStart;
  }

  /** The headers part without its '?', or null. */
  public String headers() {
    return headersStart < 0 ? null : str(headersStart + 1, end);
  }

  public int start() {
    return start;
  }

  public int end() {
    return end;
  }

  /** Start of the user part (of the number for tel), -1 if none. */
  public int userStart() {
    return userStart;
  }

  /** End of the user part (before ':' password or '@'), -1 if none. */
  public int userEnd() {
    return userEnd;
  }

  /** Start of the host, -1 for tel and other schemes. */
  public int hostStart() {
    return hostStart;
  }

  /** End of the host (after ']' for IPv6), -1 for tel and other schemes. */
  public int hostEnd() {
    return hostEnd;
  }

  /** End of host[:port]; for tel the end of the number; for other schemes {@link #end()}. */
  public int portEnd() {
    return portEnd;
  }

  /** Where the parameters start (at their first ';'); equals {@link #paramsEnd()} if none. */
  public int paramsStart() {
    return paramsStart;
  }

  /** Where the parameters end ('?' of the headers, or {@link #end()}). */
  public int paramsEnd() {
    return paramsEnd;
  }

  /** Where the headers start (at '?'), -1 if none. */
  public int headersStart() {
    return headersStart;
  }

  /** The buffer the offsets refer to. */
  public byte[] buffer() {
    return b;
  }

  /** The URI exactly as written. */
  @Override
  public String toString() {
    return str(start, end);
  }

  /** Finds parameter {@code name}; returns valueStart << 32 | valueEnd, or -1 if absent. */
  private long findUriParam(String name) {
    int i = paramsStart;
    int to = paramsEnd;
    while (i < to && b[i] == ';') {
      int ns = ++i;
      while (i < to && b[i] != ';' && b[i] != '=') {
        i++;
      }
      int ne = i;
      int vs = i;
      int ve = i;
      if (i < to && b[i] == '=') {
        vs = ++i;
        while (i < to && b[i] != ';') {
          i++;
        }
        ve = i;
      }
      if (eqIgnoreCase(b, ns, ne, name)) {
        return ((long) vs << 32) | ve;
      }
    }
    return -1;
  }

  private String str(int s, int e) {
    return new String(b, s, e - s, StandardCharsets.ISO_8859_1);
  }

  private String lower(int s, int e) {
    char[] c = new char[e - s];
    for (int i = s; i < e; i++) {
      c[i - s] = (char) toLower(b[i]);
    }
    return new String(c);
  }

  // ---------------------------------------------------------------- shared lexical helpers

  static boolean isAlpha(byte c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  static boolean isHex(byte c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** Hostname characters; '_' is tolerated because deployed DNS names carry it. */
  static boolean isHostChar(byte c) {
    return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_';
  }

  /** RFC 3261 section 25.1 token character. */
  static boolean isTokenChar(byte c) {
    if (isAlpha(c) || isDigit(c)) {
      return true;
    }
    switch (c) {
      case '-':
      case '.':
      case '!':
      case '%':
      case '*':
      case '_':
      case '+':
      case '`':
      case '\'':
      case '~':
        return true;
      default:
        return false;
    }
  }

  /** SP, HTAB and the CR LF of a folded line: RFC 3261 section 25.1 LWS. */
  static boolean isWs(byte c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  static int skipWs(byte[] b, int i, int to) {
    while (i < to && isWs(b[i])) {
      i++;
    }
    return i;
  }

  /** Index after trailing LWS is removed from {@code b[from, to)}. */
  static int trimWsEnd(byte[] b, int from, int to) {
    while (to > from && isWs(b[to - 1])) {
      to--;
    }
    return to;
  }

  static int tokenEnd(byte[] b, int i, int to) {
    while (i < to && isTokenChar(b[i])) {
      i++;
    }
    return i;
  }

  /**
   * End (after the closing quote) of the quoted-string opening at {@code b[i] == '"'}, honouring
   * quoted-pair escapes (RFC 3261 section 25.1); -1 if it is not terminated.
   */
  static int quotedStringEnd(byte[] b, int i, int to) {
    i++;
    while (i < to) {
      byte c = b[i];
      if (c == '"') {
        return i + 1;
      }
      i += c == '\\' ? 2 : 1;
    }
    return -1;
  }

  /**
   * End of a gen-value (token / host / quoted-string, RFC 3261 section 25.1) starting at {@code i};
   * host values may be IPv6 with or without brackets (RFC 5118 section 4.7). Returns {@code i} if
   * there is no value and -1 for an unterminated quoted string.
   */
  static int genValueEnd(byte[] b, int i, int to) {
    if (i < to && b[i] == '"') {
      return quotedStringEnd(b, i, to);
    }
    while (i < to) {
      byte c = b[i];
      if (!isTokenChar(c) && c != ':' && c != '[' && c != ']') {
        break;
      }
      i++;
    }
    return i;
  }

  /**
   * Finds the generic-param {@code name} in an already validated {@code *( SEMI generic-param )}
   * range; returns valueStart << 32 | valueEnd (an empty range for a flag), or -1 if absent.
   */
  static long findGenericParam(byte[] b, int from, int to, String name) {
    int i = skipWs(b, from, to);
    while (i < to && b[i] == ';') {
      int ns = skipWs(b, i + 1, to);
      int ne = tokenEnd(b, ns, to);
      int j = skipWs(b, ne, to);
      int vs = ne;
      int ve = ne;
      if (j < to && b[j] == '=') {
        vs = skipWs(b, j + 1, to);
        ve = genValueEnd(b, vs, to);
        if (ve < 0) {
          return -1;
        }
        j = skipWs(b, ve, to);
      }
      if (eqIgnoreCase(b, ns, ne, name)) {
        return ((long) vs << 32) | ve;
      }
      i = j;
    }
    return -1;
  }

  static int toLower(byte c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }

  /** ASCII case-insensitive comparison of {@code b[from, to)} with {@code s}. */
  static boolean eqIgnoreCase(byte[] b, int from, int to, String s) {
    if (to - from != s.length()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x80 || toLower(b[from + i]) != toLower((byte) c)) {
        return false;
      }
    }
    return true;
  }

  static boolean startsWithIgnoreCase(byte[] b, int from, int to, String s) {
    return to - from >= s.length() && eqIgnoreCase(b, from, from + s.length(), s);
  }
}
