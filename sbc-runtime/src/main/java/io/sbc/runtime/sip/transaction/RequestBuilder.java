package io.sbc.runtime.sip.transaction;

import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds the requests a client transaction sends on its own: the ACK for a non-2xx final (RFC 3261
 * section 17.1.1.3) and the CANCEL of a pending INVITE (section 9.1), both from the INVITE as it
 * was sent.
 */
final class RequestBuilder {
  // The INVITE is read by a scan of its header lines written for this purpose, not decoded again:
  // it went out under the gateway's configured limits, which may exceed any fixed limit here (more
  // header lines, a larger size, our Via on top of the sender's), and a decoder refusing it would
  // leave the transaction without its ACK or CANCEL. The scan never throws: the bytes were decoded
  // once on arrival and then edited by this proxy; every index stays within the array.

  private RequestBuilder() {}

  /** ACK: the INVITE's Request-URI, top Via, Route set, From, Call-ID; To from the response. */
  static byte[] ack(byte[] invite, SipMessage response) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    int headers = startLine(out, "ACK", invite);
    copyTopVia(out, invite, headers);
    copyAll(out, invite, headers, HeaderName.ROUTE);
    copyFirst(out, invite, headers, HeaderName.FROM);
    int to = response.findHeader(HeaderName.TO);
    if (to >= 0) {
      // Section 17.1.1.3: To equals the To of the response being acknowledged (with its tag).
      copyLine(out, response.bytes(), response.headerLineStart(to), response.headerLineEnd(to));
    }
    copyFirst(out, invite, headers, HeaderName.CALL_ID);
    cseq(out, invite, headers, "ACK");
    return out.toByteArray();
  }

  /** CANCEL: the INVITE's Request-URI, top Via, Route set, From, To, Call-ID, CSeq number. */
  static byte[] cancel(byte[] invite) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    int headers = startLine(out, "CANCEL", invite);
    copyTopVia(out, invite, headers);
    copyAll(out, invite, headers, HeaderName.ROUTE);
    copyFirst(out, invite, headers, HeaderName.FROM);
    copyFirst(out, invite, headers, HeaderName.TO);
    copyFirst(out, invite, headers, HeaderName.CALL_ID);
    cseq(out, invite, headers, "CANCEL");
    return out.toByteArray();
  }

  /**
   * Writes "METHOD Request-URI SIP/2.0" from the INVITE's request line; returns where its header
   * lines start.
   */
  private static int startLine(ByteArrayOutputStream out, String method, byte[] b) {
    int p = 0;
    while (p < b.length && (b[p] == '\r' || b[p] == '\n')) {
      p++; // section 7.5: CRLFs before the start line
    }
    int eol = lineEnd(b, p);
    // Request-Line = Method SP Request-URI SP SIP-Version (section 25.1); the URI has no SP.
    int us = p;
    while (us < eol && b[us] != ' ') {
      us++;
    }
    us++;
    int ue = us;
    while (ue < eol && b[ue] != ' ') {
      ue++;
    }
    write(out, method);
    write(out, " ");
    if (us < ue) {
      out.write(b, us, ue - us);
    }
    write(out, " SIP/2.0\r\n");
    return afterLineEnd(b, eol);
  }

  /**
   * Sections 17.1.1.3 and 9.1: a single Via equal to the INVITE's top one. The proxy writes its Via
   * as a header line of its own before all others; the first via-parm of the first Via line is
   * taken all the same, should that line carry several.
   */
  private static void copyTopVia(ByteArrayOutputStream out, byte[] b, int from) {
    for (int p = from; p < b.length && !isEmptyLine(b, p); p = headerEnd(b, p)) {
      int vs = valueStart(b, p);
      if (vs < 0 || code(b, p) != HeaderName.VIA) {
        continue;
      }
      int end = headerEnd(b, p);
      int ve = vs;
      boolean quoted = false;
      for (; ve < end; ve++) {
        byte c = b[ve];
        if (c == '"') {
          quoted = !quoted;
        } else if (c == '\\' && quoted) {
          ve++;
        } else if (c == ',' && !quoted) {
          break;
        }
      }
      ve = Math.min(ve, end);
      while (ve > vs && isLws(b[ve - 1])) {
        ve--;
      }
      write(out, "Via: ");
      out.write(b, vs, ve - vs);
      write(out, "\r\n");
      return;
    }
  }

  /** Copies every header line named {@code code}, in order (the Route set, section 9.1). */
  private static void copyAll(ByteArrayOutputStream out, byte[] b, int from, byte code) {
    for (int p = from; p < b.length && !isEmptyLine(b, p); p = headerEnd(b, p)) {
      if (code(b, p) == code) {
        copyLine(out, b, p, headerEnd(b, p));
      }
    }
  }

  private static void copyFirst(ByteArrayOutputStream out, byte[] b, int from, byte code) {
    for (int p = from; p < b.length && !isEmptyLine(b, p); p = headerEnd(b, p)) {
      if (code(b, p) == code) {
        copyLine(out, b, p, headerEnd(b, p));
        return;
      }
    }
  }

  /** "CSeq: N METHOD" with the INVITE's number (sections 9.1, 17.1.1.3), then the last lines. */
  private static void cseq(ByteArrayOutputStream out, byte[] b, int from, String method) {
    write(out, "CSeq: ");
    for (int p = from; p < b.length && !isEmptyLine(b, p); p = headerEnd(b, p)) {
      int vs = valueStart(b, p);
      if (vs >= 0 && code(b, p) == HeaderName.CSEQ) {
        int end = headerEnd(b, p);
        int d = vs;
        while (d < end && b[d] >= '0' && b[d] <= '9') {
          d++;
        }
        out.write(b, vs, d - vs);
        break;
      }
    }
    write(out, " ");
    write(out, method);
    write(out, "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
  }

  // --- the scan -------------------------------------------------------------------------------

  /** The header code of the line at {@code p} (compact forms included), OTHER if it has none. */
  private static byte code(byte[] b, int p) {
    int n = p;
    while (n < b.length && b[n] != ':' && b[n] != ' ' && b[n] != '\t' && !isEol(b[n])) {
      n++;
    }
    return n == p ? HeaderName.OTHER : HeaderName.lookup(b, p, n);
  }

  /** Where the value of the header line at {@code p} starts (LWS skipped), or -1 without ':'. */
  private static int valueStart(byte[] b, int p) {
    int end = headerEnd(b, p);
    int c = p;
    while (c < end && b[c] != ':') {
      c++;
    }
    if (c >= end) {
      return -1;
    }
    c++;
    while (c < end && isLws(b[c])) {
      c++;
    }
    return c;
  }

  /** The start of the line after the header at {@code p}, over folded continuations (7.3.1). */
  private static int headerEnd(byte[] b, int p) {
    int next = afterLineEnd(b, lineEnd(b, p));
    while (next < b.length && (b[next] == ' ' || b[next] == '\t')) {
      next = afterLineEnd(b, lineEnd(b, next));
    }
    return next;
  }

  private static boolean isEmptyLine(byte[] b, int p) {
    return isEol(b[p]);
  }

  private static int lineEnd(byte[] b, int p) {
    while (p < b.length && !isEol(b[p])) {
      p++;
    }
    return p;
  }

  private static int afterLineEnd(byte[] b, int eol) {
    if (eol < b.length && b[eol] == '\r') {
      eol++;
    }
    if (eol < b.length && b[eol] == '\n') {
      eol++;
    }
    return eol;
  }

  /** Copies a header line, its line end written as CRLF whatever it was (or if it had none). */
  private static void copyLine(ByteArrayOutputStream out, byte[] b, int start, int end) {
    int e = end;
    while (e > start && isEol(b[e - 1])) {
      e--;
    }
    out.write(b, start, e - start);
    write(out, "\r\n");
  }

  private static boolean isEol(byte c) {
    return c == '\r' || c == '\n';
  }

  private static boolean isLws(byte c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  private static void write(ByteArrayOutputStream out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
    out.write(bytes, 0, bytes.length);
  }
}
