package io.sbc.runtime.sip.message;

/**
 * Turns the bytes of one datagram or one framed stream message into a {@link SipMessage}, checking
 * what RFC 3261 requires of a request a proxy forwards (sections 7, 8.1.1, 16.3, 20, 25).
 *
 * <p>It never throws on hostile input: a malformed message comes back with {@link
 * SipMessage#error()} set, naming the problem. It scans bytes once; no regular expressions.
 */
public final class SipMessageDecoder {
  private final SipLimits limits;

  public SipMessageDecoder(SipLimits limits) {
    this.limits = limits;
  }

  public SipLimits limits() {
    return limits;
  }

  /**
   * Decodes one message held in {@code buf[0, len)}.
   *
   * @param stream true for a message framed from a stream (Content-Length is then mandatory, RFC
   *     3261 section 18.3), false for a datagram (a missing Content-Length means the rest of it)
   * @return the message, or null when the bytes hold no start line at all (keep-alive CRLFs)
   */
  public SipMessage decode(byte[] buf, int len, boolean stream) {
    // RFC 3261 section 7.5: CRLFs before the start line are ignored.
    int p = 0;
    while (p < len && (buf[p] == '\r' || buf[p] == '\n')) {
      p++;
    }
    if (p >= len) {
      return null;
    }
    SipMessage m = new SipMessage(buf, len);
    try {
      if (len > limits.maxMessageSize()) {
        m.request = !startsWith(buf, p, len, "SIP/");
        throw new SipParseException(513, "Message Too Large");
      }
      p = startLine(m, buf, p, len);
      p = headers(m, buf, p, len);
      body(m, buf, p, len, stream);
      check(m, buf);
    } catch (SipParseException e) {
      m.error = e;
    }
    return m;
  }

  private int startLine(SipMessage m, byte[] b, int p, int len) throws SipParseException {
    int eol = lineEnd(b, p, len);
    // Known before anything can fail: a malformed request is answered, a response is dropped.
    m.request = !startsWith(b, p, eol, "SIP/");
    int next = afterLineEnd(b, eol, len);
    m.startLineEnd = next;
    if (m.request) {
      requestLine(m, b, p, eol);
    } else {
      statusLine(m, b, p, eol);
    }
    return next;
  }

  private void statusLine(SipMessage m, byte[] b, int p, int eol) throws SipParseException {
    int sp = indexOf(b, p, eol, (byte) ' ');
    if (sp < 0) {
      throw new SipParseException("Malformed status line");
    }
    version(b, p, sp);
    int c = sp + 1;
    int code = 0;
    int digits = 0;
    while (c < eol && isDigit(b[c])) {
      code = code * 10 + (b[c] - '0');
      c++;
      if (++digits > 3) {
        throw new SipParseException("Status code out of range");
      }
    }
    if (digits != 3 || code < 100 || (c < eol && b[c] != ' ')) {
      throw new SipParseException("Malformed status code");
    }
    m.status = code;
    m.reasonStart = c < eol ? c + 1 : eol;
    m.reasonEnd = eol;
  }

  private void requestLine(SipMessage m, byte[] b, int p, int eol) throws SipParseException {
    // Request-Line = Method SP Request-URI SP SIP-Version CRLF (section 25.1): single spaces.
    int sp1 = p;
    while (sp1 < eol && isTokenChar(b[sp1])) {
      sp1++;
    }
    if (sp1 == p || sp1 >= eol || b[sp1] != ' ') {
      throw new SipParseException("Malformed Request-Line: bad method");
    }
    m.method = SipMethod.of(b, p, sp1);
    int end = eol;
    // A trailing SP after the version is tolerated (RFC 4475 section 3.1.2.10 allows leniency).
    while (end > sp1 && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
      end--;
    }
    int sp2 = lastIndexOf(b, sp1 + 1, end, (byte) ' ');
    if (sp2 < 0) {
      throw new SipParseException("Malformed Request-Line: missing SIP-Version");
    }
    version(b, sp2 + 1, end);
    int us = sp1 + 1;
    if (us >= sp2) {
      throw new SipParseException("Malformed Request-Line: empty Request-URI");
    }
    // Elements are separated by exactly one SP (RFC 4475 section 3.1.2.9 lwsstart).
    if (b[us] == ' ' || b[us] == '\t' || b[sp2 - 1] == ' ' || b[sp2 - 1] == '\t') {
      throw new SipParseException("Malformed Request-Line: more than one SP between elements");
    }
    for (int i = us; i < sp2; i++) {
      if (b[i] == ' ' || b[i] == '\t') {
        throw new SipParseException("Malformed Request-Line: whitespace in Request-URI");
      }
    }
    if (b[us] == '<') {
      throw new SipParseException("Malformed Request-URI: enclosed in <>");
    }
    m.uriStart = us;
    m.uriEnd = sp2;
    SipUri uri = SipUri.parse(b, us, sp2);
    m.requestUri = uri;
    if (uri.scheme() == SipUri.Scheme.OTHER) {
      throw new SipParseException(416, "Unsupported URI Scheme");
    }
    // Section 19.1.1: the headers component is not allowed in a Request-URI.
    if (uri.hasHeaders()) {
      throw new SipParseException("Malformed Request-URI: headers not allowed");
    }
  }

  private static void version(byte[] b, int from, int to) throws SipParseException {
    if (to - from == 7 && startsWithIgnoreCase(b, from, to, "SIP/2.0")) {
      return;
    }
    if (startsWithIgnoreCase(b, from, to, "SIP/")) {
      throw new SipParseException(505, "Version Not Supported");
    }
    throw new SipParseException("Malformed SIP-Version");
  }

  private int headers(SipMessage m, byte[] b, int p, int len) throws SipParseException {
    while (p < len) {
      if (b[p] == '\r' || b[p] == '\n') {
        // The empty line that ends the headers.
        m.headersEnd = p;
        return afterLineEnd(b, p, len);
      }
      int lineStart = p;
      int nameEnd = p;
      while (nameEnd < len && isTokenChar(b[nameEnd])) {
        nameEnd++;
      }
      int c = nameEnd;
      while (c < len && (b[c] == ' ' || b[c] == '\t')) {
        c++;
      }
      if (nameEnd == p || c >= len || b[c] != ':') {
        throw new SipParseException("Malformed header line");
      }
      // The value runs to the end of the line and over folded continuation lines (7.3.1).
      int eol = lineEnd(b, c + 1, len);
      int next = afterLineEnd(b, eol, len);
      while (next < len && (b[next] == ' ' || b[next] == '\t')) {
        eol = lineEnd(b, next, len);
        next = afterLineEnd(b, eol, len);
      }
      int vs = c + 1;
      while (vs < eol && isLws(b[vs])) {
        vs++;
      }
      int ve = eol;
      while (ve > vs && isLws(b[ve - 1])) {
        ve--;
      }
      addHeader(m, HeaderName.lookup(b, lineStart, nameEnd), lineStart, vs, ve, next);
      p = next;
    }
    // Section 7: "an empty line indicating the end of the header fields" MUST be present even
    // without a body. Forwarding inserts header lines where the headers end: with the last line
    // unterminated, an added Max-Forwards would run into its value (found by DecoderFuzzTest).
    m.headersEnd = len;
    throw new SipParseException("Missing empty line after the header fields");
  }

  private void addHeader(SipMessage m, byte code, int line, int vs, int ve, int end)
      throws SipParseException {
    int n = m.headerCount;
    if (n == limits.maxHeaders()) {
      throw new SipParseException("Too many header fields");
    }
    if (n == m.hCode.length) {
      int cap = n * 2;
      m.hCode = java.util.Arrays.copyOf(m.hCode, cap);
      m.hLineStart = java.util.Arrays.copyOf(m.hLineStart, cap);
      m.hValueStart = java.util.Arrays.copyOf(m.hValueStart, cap);
      m.hValueEnd = java.util.Arrays.copyOf(m.hValueEnd, cap);
      m.hLineEnd = java.util.Arrays.copyOf(m.hLineEnd, cap);
    }
    m.hCode[n] = code;
    m.hLineStart[n] = line;
    m.hValueStart[n] = vs;
    m.hValueEnd[n] = ve;
    m.hLineEnd[n] = end;
    m.headerCount = n + 1;
  }

  private void body(SipMessage m, byte[] b, int p, int len, boolean stream)
      throws SipParseException {
    m.bodyStart = p;
    int cl = -1;
    for (int i = 0; i < m.headerCount; i++) {
      if (m.hCode[i] == HeaderName.CONTENT_LENGTH) {
        if (cl >= 0) {
          throw new SipParseException("Multiple Content-Length values");
        }
        cl = parseNumber(b, m.hValueStart[i], m.hValueEnd[i], Integer.MAX_VALUE, "Content-Length");
      }
    }
    if (cl < 0) {
      if (stream) {
        throw new SipParseException("Missing Content-Length");
      }
      m.bodyEnd = len;
      return;
    }
    if (cl > len - p) {
      throw new SipParseException("Content-Length larger than message");
    }
    // Octets after the body in a datagram are ignored (RFC 3261 section 18.3).
    m.bodyEnd = p + cl;
    m.length = m.bodyEnd;
  }

  private void check(SipMessage m, byte[] b) throws SipParseException {
    for (int i = 0; i < m.headerCount; i++) {
      int vs = m.hValueStart[i];
      int ve = m.hValueEnd[i];
      switch (m.hCode[i]) {
        case HeaderName.VIA:
          int before = m.vias.size();
          Via.parseAll(b, vs, ve, m.vias);
          if (m.vias.size() > limits.maxViaCount()) {
            throw new SipParseException("Too many Via entries");
          }
          if (m.vias.size() > m.viaHeader.length) {
            m.viaHeader = java.util.Arrays.copyOf(m.viaHeader, Math.max(m.vias.size(), 8) * 2);
          }
          for (int v = before; v < m.vias.size(); v++) {
            m.viaHeader[v] = i;
          }
          break;
        case HeaderName.FROM:
          if (m.from != null) {
            throw new SipParseException("Multiple From header fields");
          }
          m.from = NameAddr.parse(b, vs, ve);
          if (m.from.isStar()) {
            // Section 20.20: From is a name-addr or addr-spec; "*" is only a Contact value.
            throw new SipParseException("Malformed From: '*' is not an address");
          }
          break;
        case HeaderName.TO:
          if (m.to != null) {
            throw new SipParseException("Multiple To header fields");
          }
          m.to = NameAddr.parse(b, vs, ve);
          if (m.to.isStar()) {
            // Section 20.39: To is a name-addr or addr-spec; "*" is only a Contact value.
            throw new SipParseException("Malformed To: '*' is not an address");
          }
          break;
        case HeaderName.CALL_ID:
          if (m.callIdHeader >= 0) {
            throw new SipParseException("Multiple Call-ID header fields");
          }
          if (vs == ve || indexOfLws(b, vs, ve) >= 0) {
            throw new SipParseException("Malformed Call-ID");
          }
          m.callIdHeader = i;
          break;
        case HeaderName.CSEQ:
          if (m.cseqMethod != null) {
            throw new SipParseException("Multiple CSeq header fields");
          }
          cseq(m, b, vs, ve);
          break;
        case HeaderName.MAX_FORWARDS:
          if (m.maxForwardsHeader >= 0) {
            throw new SipParseException("Multiple Max-Forwards header fields");
          }
          m.maxForwards = parseNumber(b, vs, ve, 255, "Max-Forwards");
          m.maxForwardsHeader = i;
          break;
        case HeaderName.EXPIRES:
          if (m.request) {
            parseLong(b, vs, ve, 0xFFFF_FFFFL, "Expires");
          }
          break;
        case HeaderName.CONTACT:
          if (m.request) {
            contacts(b, vs, ve);
          }
          break;
        default:
          break;
      }
    }
    // Section 8.1.1: the header fields every request must carry.
    if (m.vias.isEmpty()) {
      throw new SipParseException("Missing Via");
    }
    if (m.from == null) {
      throw new SipParseException("Missing From");
    }
    if (m.to == null) {
      throw new SipParseException("Missing To");
    }
    if (m.callIdHeader < 0) {
      throw new SipParseException("Missing Call-ID");
    }
    if (m.cseqMethod == null) {
      throw new SipParseException("Missing CSeq");
    }
    if (m.request && !m.cseqMethod.equals(m.method)) {
      // Section 8.1.1.5: the CSeq method MUST match the request method (ACK and CANCEL too).
      throw new SipParseException("CSeq method does not match the request method");
    }
  }

  private static void cseq(SipMessage m, byte[] b, int vs, int ve) throws SipParseException {
    int p = vs;
    while (p < ve && isDigit(b[p])) {
      p++;
    }
    if (p == vs) {
      throw new SipParseException("Malformed CSeq");
    }
    // Section 8.1.1.5: the sequence number MUST be less than 2**31.
    m.cseq = parseLong(b, vs, p, 0x7FFF_FFFFL, "CSeq");
    int ms = p;
    while (ms < ve && isLws(b[ms])) {
      ms++;
    }
    if (ms == p || ms == ve) {
      throw new SipParseException("Malformed CSeq");
    }
    for (int i = ms; i < ve; i++) {
      if (!isTokenChar(b[i])) {
        throw new SipParseException("Malformed CSeq method");
      }
    }
    m.cseqMethod = SipMethod.of(b, ms, ve);
  }

  private static void contacts(byte[] b, int vs, int ve) throws SipParseException {
    int[] ranges = new int[16];
    int n = NameAddr.splitValues(b, vs, ve, ranges);
    if (n < 0) {
      throw new SipParseException("Malformed Contact");
    }
    for (int k = 0; k < Math.min(n, ranges.length / 2); k++) {
      NameAddr.parse(b, ranges[2 * k], ranges[2 * k + 1]);
    }
  }

  static int parseNumber(byte[] b, int from, int to, int max, String header)
      throws SipParseException {
    return (int) parseLong(b, from, to, max, header);
  }

  static long parseLong(byte[] b, int from, int to, long max, String header)
      throws SipParseException {
    if (from == to) {
      throw new SipParseException("Malformed " + header);
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (!isDigit(c)) {
        throw new SipParseException("Malformed " + header);
      }
      v = v * 10 + (c - '0');
      if (v > max) {
        throw new SipParseException(header + " value too large");
      }
    }
    return v;
  }

  // --- byte helpers ---------------------------------------------------------------------------

  /** Offset of the CR or LF that ends the line starting at {@code p}, or {@code len}. */
  static int lineEnd(byte[] b, int p, int len) {
    while (p < len && b[p] != '\r' && b[p] != '\n') {
      p++;
    }
    return p;
  }

  /** Offset after the CRLF (or bare LF, tolerated) at {@code eol}; a CR alone is refused. */
  static int afterLineEnd(byte[] b, int eol, int len) throws SipParseException {
    if (eol < len && b[eol] == '\r') {
      eol++;
      if (eol == len || b[eol] != '\n') {
        // Section 7: lines end in CRLF. A bare CR taken for a line end made the header line a
        // 400 or 100 copies end in CR, and the CRLF the copy adds then read as the empty line,
        // cutting the headers short (found by ProxyRequestFuzzTest).
        throw new SipParseException("Bare CR in a line end");
      }
    }
    if (eol < len && b[eol] == '\n') {
      eol++;
    }
    return eol;
  }

  static boolean startsWith(byte[] b, int from, int to, String s) {
    if (to - from < s.length()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (b[from + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static boolean startsWithIgnoreCase(byte[] b, int from, int to, String s) {
    return to - from >= s.length() && HeaderName.equalsIgnoreCase(b, from, s);
  }

  static int indexOf(byte[] b, int from, int to, byte c) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  static int lastIndexOf(byte[] b, int from, int to, byte c) {
    for (int i = to - 1; i >= from; i--) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  static int indexOfLws(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (isLws(b[i])) {
        return i;
      }
    }
    return -1;
  }

  static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  static boolean isLws(byte c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  private static final boolean[] TOKEN = new boolean[128];

  static {
    for (char c = 'a'; c <= 'z'; c++) {
      TOKEN[c] = true;
      TOKEN[c - 32] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      TOKEN[c] = true;
    }
    for (char c : "-.!%*_+`'~".toCharArray()) {
      TOKEN[c] = true;
    }
  }

  /** RFC 3261 section 25.1 token characters. */
  public static boolean isTokenChar(byte c) {
    return c >= 0 && TOKEN[c];
  }
}
