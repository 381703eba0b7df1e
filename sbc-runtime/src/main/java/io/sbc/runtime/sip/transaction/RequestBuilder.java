package io.sbc.runtime.sip.transaction;

import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds the requests a client transaction sends on its own: the ACK for a non-2xx final (RFC 3261
 * section 17.1.1.3) and the CANCEL of a pending INVITE (section 9.1), both from the INVITE as it
 * was sent.
 */
final class RequestBuilder {
  private static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  private RequestBuilder() {}

  /** ACK: the INVITE's Request-URI, top Via, Route set, From, Call-ID; To from the response. */
  static byte[] ack(byte[] invite, SipMessage response) {
    SipMessage req = DECODER.decode(invite, invite.length, false);
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    startLine(out, "ACK", req);
    copyTopVia(out, req);
    copyAll(out, req, HeaderName.ROUTE);
    copyAll(out, req, HeaderName.FROM);
    copyAll(response, out, HeaderName.TO);
    copyAll(out, req, HeaderName.CALL_ID);
    write(out, "CSeq: " + req.cseq() + " ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
    return out.toByteArray();
  }

  /** CANCEL: the INVITE's Request-URI, top Via, Route set, From, To, Call-ID, CSeq number. */
  static byte[] cancel(byte[] invite) {
    SipMessage req = DECODER.decode(invite, invite.length, false);
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    startLine(out, "CANCEL", req);
    copyTopVia(out, req);
    copyAll(out, req, HeaderName.ROUTE);
    copyAll(out, req, HeaderName.FROM);
    copyAll(out, req, HeaderName.TO);
    copyAll(out, req, HeaderName.CALL_ID);
    write(out, "CSeq: " + req.cseq() + " CANCEL\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
    return out.toByteArray();
  }

  private static void startLine(ByteArrayOutputStream out, String method, SipMessage req) {
    write(out, method + " ");
    out.write(req.bytes(), req.uriStart(), req.uriEnd() - req.uriStart());
    write(out, " SIP/2.0\r\n");
  }

  private static void copyTopVia(ByteArrayOutputStream out, SipMessage req) {
    // The proxy writes its own Via as a header line of its own, first of all Via lines.
    var via = req.topVia();
    write(out, "Via: ");
    out.write(req.bytes(), via.start(), via.end() - via.start());
    write(out, "\r\n");
  }

  private static void copyAll(ByteArrayOutputStream out, SipMessage m, byte code) {
    copyAll(m, out, code);
  }

  private static void copyAll(SipMessage m, ByteArrayOutputStream out, byte code) {
    for (int i = m.findHeader(code); i >= 0; i = m.findHeader(code, i + 1)) {
      out.write(m.bytes(), m.headerLineStart(i), m.headerLineEnd(i) - m.headerLineStart(i));
    }
  }

  private static void write(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    out.write(b, 0, b.length);
  }
}
