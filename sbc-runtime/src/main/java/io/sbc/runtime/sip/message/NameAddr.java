package io.sbc.runtime.sip.message;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** One From, To, Contact, Route, Record-Route or Reply-To value, located by offsets in a buffer. */
public final class NameAddr {
  // ( name-addr / addr-spec ) *( SEMI generic-param ), RFC 3261 sections 20.10 and 25.1. The URI
  // is parsed eagerly; a scheme other than sip, sips or tel is not an error here (RFC 4475 3.3.4
  // unksm2), so callers that need a SIP URI check uri().scheme(). Without angle brackets the URI
  // ends at the first ';' or LWS and what follows are header parameters (section 20.10); a URI
  // with headers in that form is kept, and refusing it where it must be (RFC 4475 3.1.2.13
  // regbadct, a registrar) is the caller's job: see hasAngleBrackets() and uri().hasHeaders().

  private final byte[] b;
  private final int start;
  private final int end;
  private final boolean star;
  private final int displayStart;
  private final int displayEnd;
  private final boolean angle;
  private final int uriStart;
  private final int uriEnd;
  private final SipUri uri;
  private final int paramsStart;
  private final int paramsEnd;

  private NameAddr(
      byte[] b,
      int start,
      int end,
      boolean star,
      int displayStart,
      int displayEnd,
      boolean angle,
      int uriStart,
      int uriEnd,
      SipUri uri,
      int paramsStart,
      int paramsEnd) {
    this.b = b;
    this.start = start;
    this.end = end;
    this.star = star;
    this.displayStart = displayStart;
    this.displayEnd = displayEnd;
    this.angle = angle;
    this.uriStart = uriStart;
    this.uriEnd = uriEnd;
    this.uri = uri;
    this.paramsStart = paramsStart;
    this.paramsEnd = paramsEnd;
  }

  /** Parses one value {@code b[from, to)}; failure reasons start with "Address: ". */
  public static NameAddr parse(byte[] b, int from, int to) throws SipParseException {
    return parse(b, from, to, "Address");
  }

  /**
   * Parses one value {@code b[from, to)} (surrounding LWS allowed); {@code header} (e.g. "From")
   * prefixes the failure reason, which becomes a 400 reason phrase.
   */
  public static NameAddr parse(byte[] b, int from, int to, String header) throws SipParseException {
    int i = SipUri.skipWs(b, from, to);
    to = SipUri.trimWsEnd(b, i, to);
    if (i >= to) {
      throw new SipParseException(header + ": empty value");
    }
    int start = i;
    // RFC 3261 section 20.10: Contact: "*" (a REGISTER removing all bindings).
    if (to - i == 1 && b[i] == '*') {
      return new NameAddr(b, start, to, true, -1, -1, false, -1, -1, null, to, to);
    }

    int displayStart = -1;
    int displayEnd = -1;
    int lt = -1;
    if (b[i] == '"') {
      // display-name = quoted-string: commas and '<' inside it are text (RFC 4475 3.1.2.6 quotbal).
      int qe = SipUri.quotedStringEnd(b, i, to);
      if (qe < 0) {
        throw new SipParseException(header + ": unterminated quoted string");
      }
      displayStart = i;
      displayEnd = qe;
      i = SipUri.skipWs(b, qe, to);
      if (i >= to || b[i] != '<') {
        throw new SipParseException(header + ": '<' expected after display name");
      }
      lt = i;
    } else {
      // display-name = *(token LWS): scan tokens and LWS; stopping at '<' means a name-addr (no
      // LWS needed before '<', RFC 4475 3.1.1.6 lwsdisp), at ':' after a single token an
      // addr-spec, anywhere else non-token text that should have been quoted (3.1.2.15 baddn).
      int j = i;
      boolean ws = false;
      while (j < to) {
        byte c = b[j];
        if (SipUri.isWs(c)) {
          ws = true;
        } else if (!SipUri.isTokenChar(c)) {
          break;
        }
        j++;
      }
      if (j < to && b[j] == '<') {
        lt = j;
        if (j > i) {
          displayStart = i;
          displayEnd = SipUri.trimWsEnd(b, i, j);
        }
      } else if (j < to && b[j] == ':' && !ws && j > i) {
        return parseAddrSpec(b, start, to, header);
      } else if (j < to && b[j] == '"') {
        throw new SipParseException(header + ": quote inside unquoted display name");
      } else if (j < to) {
        throw new SipParseException(header + ": display name has non-token characters");
      } else {
        throw new SipParseException(header + ": missing URI");
      }
    }

    // name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
    int gt = -1;
    for (int k = lt + 1; k < to; k++) {
      if (b[k] == '>') {
        gt = k;
        break;
      }
    }
    if (gt < 0) {
      throw new SipParseException(header + ": unterminated '<'");
    }
    // LWS inside <> is refused by SipUri (RFC 4475 3.1.2.14 badaspec: reject is allowed).
    SipUri uri = SipUri.parse(b, lt + 1, gt, header);
    int ps = gt + 1;
    int pe = parseParams(b, ps, to, header);
    return new NameAddr(
        b, start, to, false, displayStart, displayEnd, true, lt + 1, gt, uri, ps, pe);
  }

  private static NameAddr parseAddrSpec(byte[] b, int start, int to, String header)
      throws SipParseException {
    // RFC 3261 section 20.10: without <> the URI cannot hold ';' (they start header params),
    // ',' or '?'; it also ends at LWS, and LWS may only be followed by parameters.
    int j = start;
    while (j < to && b[j] != ';' && !SipUri.isWs(b[j])) {
      j++;
    }
    int k = SipUri.skipWs(b, j, to);
    if (k < to && b[k] != ';') {
      throw new SipParseException(header + ": whitespace inside addr-spec");
    }
    SipUri uri = SipUri.parse(b, start, j, header);
    int pe = parseParams(b, j, to, header);
    return new NameAddr(b, start, to, false, -1, -1, false, start, j, uri, j, pe);
  }

  /** Checks {@code *( SEMI generic-param )} from {@code i} to {@code to}; returns where it ends. */
  private static int parseParams(byte[] b, int i, int to, String header) throws SipParseException {
    int last = i;
    i = SipUri.skipWs(b, i, to);
    while (i < to) {
      if (b[i] != ';') {
        throw new SipParseException(header + ": unexpected text after address");
      }
      int ns = SipUri.skipWs(b, i + 1, to);
      int ne = SipUri.tokenEnd(b, ns, to);
      if (ne == ns) {
        throw new SipParseException(header + ": empty parameter name");
      }
      last = ne;
      int j = SipUri.skipWs(b, ne, to);
      if (j < to && b[j] == '=') {
        int vs = SipUri.skipWs(b, j + 1, to);
        int ve = SipUri.genValueEnd(b, vs, to);
        if (ve < 0) {
          throw new SipParseException(header + ": unterminated quoted string");
        }
        if (ve == vs) {
          throw new SipParseException(header + ": empty parameter value");
        }
        last = ve;
        j = SipUri.skipWs(b, ve, to);
      }
      i = j;
    }
    return last;
  }

  /**
   * Splits a comma-separated list {@code b[from, to)} into values: commas inside a quoted string
   * (with {@code \"} escapes) or inside {@code <...>} do not split (RFC 3261 section 7.3.1). Writes
   * each value's trimmed range as {@code out[2k]} (start) and {@code out[2k + 1]} (end, exclusive)
   * while it fits, and returns the total number of values, which may exceed {@code out.length / 2}:
   * a caller seeing that retries with a larger array.
   *
   * @throws SipParseException for an unterminated quoted string or '<', or an empty value
   */
  public static int splitValues(byte[] b, int from, int to, int[] out) throws SipParseException {
    int n = 0;
    int vs = from;
    int i = from;
    while (true) {
      while (i < to && b[i] != ',') {
        byte c = b[i];
        if (c == '"') {
          i = SipUri.quotedStringEnd(b, i, to);
          if (i < 0) {
            throw new SipParseException("unterminated quoted string");
          }
          continue;
        }
        if (c == '<') {
          while (i < to && b[i] != '>') {
            i++;
          }
          if (i >= to) {
            throw new SipParseException("unterminated '<'");
          }
        }
        i++;
      }
      int s = SipUri.skipWs(b, vs, i);
      int e = SipUri.trimWsEnd(b, s, i);
      if (s == e) {
        throw new SipParseException("empty value in list");
      }
      if (2 * n + 1 < out.length) {
        out[2 * n] = s;
        out[2 * n + 1] = e;
      }
      n++;
      if (i >= to) {
        return n;
      }
      vs = ++i;
    }
  }

  /**
   * Parses every value of a comma-separated list {@code b[from, to)} (Contact, Route,
   * Record-Route), appending each to {@code out}; returns how many were appended.
   */
  public static int parseAll(byte[] b, int from, int to, List<NameAddr> out, String header)
      throws SipParseException {
    int[] ranges = new int[16];
    int n = splitValues(b, from, to, ranges);
    if (2 * n > ranges.length) {
      ranges = new int[2 * n];
      splitValues(b, from, to, ranges);
    }
    for (int k = 0; k < n; k++) {
      out.add(parse(b, ranges[2 * k], ranges[2 * k + 1], header));
    }
    return n;
  }

  // ---------------------------------------------------------------- accessors

  /** Whether this is the Contact wildcard "*". */
  public boolean isStar() {
    return star;
  }

  /**
   * The display name: a quoted-string without its quotes and with quoted-pairs resolved, or the
   * tokens as written; null if there is none.
   */
  public String displayName() {
    if (displayStart < 0) {
      return null;
    }
    if (b[displayStart] != '"') {
      return new String(b, displayStart, displayEnd - displayStart, StandardCharsets.UTF_8);
    }
    byte[] out = new byte[displayEnd - displayStart - 2];
    int n = 0;
    for (int k = displayStart + 1; k < displayEnd - 1; k++) {
      if (b[k] == '\\' && k + 1 < displayEnd - 1) {
        k++;
      }
      out[n++] = b[k];
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  /** Start of the display name (at its quote if quoted), -1 if none. */
  public int displayNameStart() {
    return displayStart;
  }

  /** End of the display name (after its quote if quoted), -1 if none. */
  public int displayNameEnd() {
    return displayEnd;
  }

  /** The URI; null only for the Contact wildcard. */
  public SipUri uri() {
    return uri;
  }

  /** Start of the URI (inside the angle brackets), -1 for "*". */
  public int uriStart() {
    return uriStart;
  }

  /** End of the URI (before '>'), -1 for "*". */
  public int uriEnd() {
    return uriEnd;
  }

  public boolean hasAngleBrackets() {
    return angle;
  }

  /** The tag parameter (RFC 3261 section 19.3), or null. */
  public String tag() {
    return param("tag");
  }

  /**
   * The value of header parameter {@code name} (case-insensitive) as written, quotes kept, "" for a
   * flag, null if absent.
   */
  public String param(String name) {
    long r = SipUri.findGenericParam(b, paramsStart, paramsEnd, name);
    if (r < 0) {
      return null;
    }
    int s = (int) (r >>> 32);
    return new String(b, s, (int) r - s, StandardCharsets.UTF_8);
  }

  public boolean hasParam(String name) {
    return SipUri.findGenericParam(b, paramsStart, paramsEnd, name) >= 0;
  }

  /** Where the header parameters start (after '>' or the addr-spec; LWS may follow). */
  public int paramsStart() {
    return paramsStart;
  }

  /** Where the header parameters end (after the last one); equals the start if there are none. */
  public int paramsEnd() {
    return paramsEnd;
  }

  /** Start of the value, LWS excluded. */
  public int start() {
    return start;
  }

  /** End of the value, LWS excluded. */
  public int end() {
    return end;
  }

  /** The buffer the offsets refer to. */
  public byte[] buffer() {
    return b;
  }

  /** The value as written. */
  @Override
  public String toString() {
    return new String(b, start, end - start, StandardCharsets.UTF_8);
  }
}
