package io.sbc.runtime.media;

import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipMessage;

/**
 * Where a message's SDP is: the whole body (Content-Type application/sdp), or the first part of a
 * multipart body whose own Content-Type is application/sdp (RFC 2046 section 5.1, RFC 5621: an SDP
 * beside an ISUP or a location part). Found in one pass over the bytes, without regular expressions
 * or copies; a body with a Content-Encoding, or a multipart body that does not parse, has no SDP
 * the SBC can rewrite.
 */
final class SdpBody {
  private SdpBody() {}

  /** The SDP's range as {@code start << 32 | end} (offsets in the message), or -1 when none. */
  static long find(SipMessage m) {
    int bs = m.bodyStart();
    int be = bs + m.bodyLength();
    if (be <= bs || m.findHeader(HeaderName.CONTENT_ENCODING) >= 0) {
      return -1;
    }
    int h = m.findHeader(HeaderName.CONTENT_TYPE);
    if (h < 0) {
      return -1;
    }
    byte[] b = m.bytes();
    int p = skipSpace(b, m.headerValueStart(h), m.headerValueEnd(h));
    int end = m.headerValueEnd(h);
    if (isType(b, p, end, "application/sdp")) {
      return (long) bs << 32 | be;
    }
    if (!startsWith(b, p, end, "multipart/")) {
      return -1;
    }
    long boundary = boundary(b, p, end);
    if (boundary < 0) {
      return -1;
    }
    return sdpPart(b, bs, be, (int) (boundary >>> 32), (int) boundary);
  }

  /** Whether the media type at {@code p} is {@code type}, followed by nothing, ';' or space. */
  static boolean isType(byte[] b, int p, int end, String type) {
    if (!startsWith(b, p, end, type)) {
      return false;
    }
    int q = p + type.length();
    return q == end || b[q] == ';' || b[q] == ' ' || b[q] == '\t';
  }

  private static boolean startsWith(byte[] b, int p, int end, String s) {
    return end - p >= s.length() && HeaderName.equalsIgnoreCase(b, p, s);
  }

  private static int skipSpace(byte[] b, int p, int end) {
    while (p < end && (b[p] == ' ' || b[p] == '\t')) {
      p++;
    }
    return p;
  }

  /**
   * The boundary parameter's value range in a Content-Type value (a token or a quoted string, 1 to
   * 70 characters, RFC 2046 section 5.1.1), or -1.
   */
  private static long boundary(byte[] b, int p, int end) {
    for (int i = p; i < end; i++) {
      if (b[i] != ';') {
        continue;
      }
      int q = skipSpace(b, i + 1, end);
      if (!startsWith(b, q, end, "boundary")) {
        continue;
      }
      q = skipSpace(b, q + "boundary".length(), end);
      if (q >= end || b[q] != '=') {
        continue;
      }
      q = skipSpace(b, q + 1, end);
      int s;
      int e;
      if (q < end && b[q] == '"') {
        s = q + 1;
        e = s;
        while (e < end && b[e] != '"') {
          e++;
        }
        if (e >= end) {
          return -1;
        }
      } else {
        s = q;
        e = s;
        while (e < end && b[e] != ';' && b[e] != ' ' && b[e] != '\t') {
          e++;
        }
      }
      return e - s < 1 || e - s > 70 ? -1 : (long) s << 32 | e;
    }
    return -1;
  }

  /**
   * The body of the first part whose Content-Type is application/sdp, between delimiter lines ("--"
   * boundary at a line start); -1 when none.
   */
  private static long sdpPart(byte[] b, int bs, int be, int boundaryStart, int boundaryEnd) {
    int blen = boundaryEnd - boundaryStart;
    int partStart = -1;
    for (int i = bs; i + 2 + blen <= be; i++) {
      boolean lineStart = i == bs || (i - 2 >= bs && b[i - 2] == '\r' && b[i - 1] == '\n');
      if (!lineStart
          || b[i] != '-'
          || b[i + 1] != '-'
          || !java.util.Arrays.equals(b, i + 2, i + 2 + blen, b, boundaryStart, boundaryEnd)) {
        continue;
      }
      if (partStart >= 0) {
        // The part ends at the CRLF before this delimiter (it belongs to the delimiter).
        int partEnd = i == bs ? i : i - 2;
        long sdp = sdpOf(b, partStart, partEnd);
        if (sdp >= 0) {
          return sdp;
        }
      }
      int eol = lineEnd(b, i, be);
      if (eol < 0) {
        return -1;
      }
      partStart = eol;
      if (i + 2 + blen + 1 < be && b[i + 2 + blen] == '-' && b[i + 3 + blen] == '-') {
        return -1; // the closing delimiter: no SDP part
      }
      i = eol - 1;
    }
    return -1;
  }

  /** Offset past the CRLF that ends the line at {@code i}, or -1. */
  private static int lineEnd(byte[] b, int i, int end) {
    for (int k = i; k + 1 < end; k++) {
      if (b[k] == '\r' && b[k + 1] == '\n') {
        return k + 2;
      }
    }
    return -1;
  }

  /** The body of one part when its headers say application/sdp (and no Content-Encoding). */
  private static long sdpOf(byte[] b, int start, int end) {
    boolean sdp = false;
    int p = start;
    while (p < end) {
      int eol = lineEnd(b, p, end + 2 > b.length ? end : end + 2);
      if (eol < 0 || eol > end + 2) {
        return -1;
      }
      int lineEnd = eol - 2;
      if (lineEnd == p) {
        // The empty line: the part's body follows.
        return sdp && eol < end ? (long) eol << 32 | end : -1;
      }
      if (startsWith(b, p, lineEnd, "content-encoding:")) {
        return -1;
      }
      if (startsWith(b, p, lineEnd, "content-type:")) {
        int v = skipSpace(b, p + "content-type:".length(), lineEnd);
        sdp = isType(b, v, lineEnd, "application/sdp");
      }
      p = eol;
    }
    return -1;
  }
}
