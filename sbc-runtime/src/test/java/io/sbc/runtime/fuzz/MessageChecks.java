package io.sbc.runtime.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.MessageEditor;
import io.sbc.runtime.sip.message.NameAddr;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.message.SipParseException;
import io.sbc.runtime.sip.message.SipUri;
import io.sbc.runtime.sip.message.Via;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What must hold of every decoded message, checked by reading it the way the proxy does: a
 * malformed one carries a reason and a status to answer, and a clean one has an index that stays
 * inside its bytes, the headers RFC 3261 section 8.1.1 requires, and survives the edits forwarding
 * makes (a Via added, the top Via removed).
 */
final class MessageChecks {
  static final SipLimits LIMITS = SipLimits.DEFAULT;
  static final SipMessageDecoder DECODER = new SipMessageDecoder(LIMITS);

  /** The Via line a proxy inserts above the first one (section 16.6 step 8). */
  private static final byte[] VIA_LINE =
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-fuzz-1\r\n"
          .getBytes(StandardCharsets.ISO_8859_1);

  /** The line a proxy adds when a request has no Max-Forwards (section 16.6 step 3). */
  private static final byte[] MAX_FORWARDS_LINE =
      "Max-Forwards: 70\r\n".getBytes(StandardCharsets.ISO_8859_1);

  private MessageChecks() {}

  /** Decodes {@code buf[0, len)} and checks the result; returns it (null for bare CRLFs). */
  static SipMessage decodeAndCheck(byte[] buf, int len, boolean stream) {
    SipMessage m = DECODER.decode(buf, len, stream);
    if (m == null) {
      for (int i = 0; i < len; i++) {
        assertTrue(buf[i] == '\r' || buf[i] == '\n', "null only for keep-alive CRLFs");
      }
      return null;
    }
    check(m, len);
    return m;
  }

  /** A short fingerprint of a decoding, to compare two decodings of the same bytes. */
  static String summary(SipMessage m) {
    if (m == null) {
      return "null";
    }
    SipParseException e = m.error();
    return (e == null ? "ok" : e.status() + " " + e.getMessage())
        + " req="
        + m.isRequest()
        + " len="
        + m.length()
        + " headers="
        + m.headerCount()
        + " vias="
        + m.vias().size()
        + " status="
        + m.status()
        + " method="
        + m.method();
  }

  static void check(SipMessage m, int len) {
    assertTrue(m.length() > 0 && m.length() <= len, "length inside the buffer");
    SipParseException e = m.error();
    if (e != null) {
      int s = e.status();
      assertTrue(s == 400 || s == 416 || s == 505 || s == 513, "answerable status: " + s);
      assertNotNull(e.getMessage());
      assertFalse(e.getMessage().isEmpty(), "a reason for the 400");
      // What a 400 answer reads from a partly parsed message (Responses.build, Proxy.toTag).
      headerIndex(m, true);
      m.toTag();
      m.callId();
      return;
    }
    headerIndex(m, false);
    startLine(m);
    vias(m);
    nameAddr(m.from(), "From");
    nameAddr(m.to(), "To");
    assertFalse(m.from().isStar(), "From is a name-addr or addr-spec (RFC 3261 20.20)");
    assertFalse(m.to().isStar(), "To is a name-addr or addr-spec (RFC 3261 20.39)");
    m.fromTag();
    m.toTag();
    assertNotNull(m.callId());
    assertFalse(m.callId().isEmpty());
    assertTrue(m.cseq() >= 0 && m.cseq() <= 0x7FFF_FFFFL, "CSeq number below 2**31");
    assertNotNull(m.cseqMethod());
    assertTrue(m.maxForwards() >= -1 && m.maxForwards() <= 255, "Max-Forwards 0..255");
    if (m.isRequest()) {
      assertEquals(m.method(), m.cseqMethod(), "CSeq method is the request's");
      assertNotNull(TransactionLayer.serverKey(m));
    }
    for (byte code : new byte[] {HeaderName.ROUTE, HeaderName.RECORD_ROUTE, HeaderName.CONTACT}) {
      for (int i = m.findHeader(code); i >= 0; i = m.findHeader(code, i + 1)) {
        list(m, i);
      }
    }
    m.headerValue("X-Anything");
    m.reason();
    m.toString();
    insertVia(m);
    insertAtHeadersEnd(m);
    stripTopVia(m);
  }

  /** The header index: consecutive lines, values inside their lines, all inside the message. */
  private static void headerIndex(SipMessage m, boolean partial) {
    int n = m.headerCount();
    int prevEnd = m.startLineEnd();
    assertTrue(prevEnd >= 0 && prevEnd <= m.length(), "start line inside the message");
    for (int i = 0; i < n; i++) {
      int ls = m.headerLineStart(i);
      int vs = m.headerValueStart(i);
      int ve = m.headerValueEnd(i);
      int le = m.headerLineEnd(i);
      assertEquals(prevEnd, ls, "header lines follow each other");
      assertTrue(ls < vs && vs <= ve && ve <= le, "value inside its line");
      assertTrue(le <= m.bytes().length, "line inside the buffer");
      assertTrue(m.headerCode(i) >= 0 && m.headerCode(i) < HeaderName.COUNT);
      m.text(vs, ve);
      prevEnd = le;
    }
    if (partial) {
      return;
    }
    assertTrue(prevEnd <= m.headersEnd() && m.headersEnd() <= m.bodyStart(), "headers end");
    assertTrue(m.bodyLength() >= 0, "body length");
    assertEquals(m.length(), m.bodyStart() + m.bodyLength(), "the body ends the message");
  }

  private static void startLine(SipMessage m) {
    if (m.isResponse()) {
      assertTrue(m.status() >= 100 && m.status() <= 999, "status code " + m.status());
      assertNull(m.method());
      return;
    }
    assertNotNull(m.method());
    assertFalse(m.method().isEmpty());
    SipUri u = m.requestUri();
    assertNotNull(u);
    assertTrue(u.scheme() != SipUri.Scheme.OTHER, "416 for other schemes");
    assertFalse(u.hasHeaders(), "no headers in a Request-URI (19.1.1)");
    assertTrue(0 < m.uriStart() && m.uriStart() < m.uriEnd() && m.uriEnd() < m.startLineEnd());
    uri(u);
  }

  private static void vias(SipMessage m) {
    List<Via> vias = m.vias();
    assertFalse(vias.isEmpty(), "a Via (8.1.1.7)");
    assertTrue(vias.size() <= LIMITS.maxViaCount());
    int prev = -1;
    for (int i = 0; i < vias.size(); i++) {
      Via v = vias.get(i);
      int h = m.viaHeaderIndex(i);
      assertEquals(HeaderName.VIA, m.headerCode(h), "Via entry in a Via header");
      assertTrue(m.headerValueStart(h) <= v.start() && v.end() <= m.headerValueEnd(h));
      assertTrue(v.start() > prev && v.start() < v.end(), "Via entries in order");
      prev = v.start();
      assertTrue(v.hostStart() < v.hostEnd() && v.hostEnd() <= v.sentByEnd());
      assertTrue(v.sentByEnd() <= v.end());
      assertFalse(v.host().isEmpty());
      assertTrue(v.port() == -1 || (v.port() >= 1 && v.port() <= 65535), "port " + v.port());
      assertTrue(v.rport() == -1 || (v.rport() >= 1 && v.rport() <= 65535));
      assertTrue(v.ttl() >= -1 && v.ttl() <= 255);
      assertFalse(v.transport().isEmpty());
      v.protocol();
      v.received();
      v.maddr();
      v.hasMagicCookieBranch();
      assertEquals(v.branch() != null, v.hasParam("branch"));
      if (v.branch() != null) {
        assertTrue(v.branchValueStart() <= v.branchValueEnd() && v.branchValueEnd() <= v.end());
      }
      if (v.receivedStart() >= 0) {
        assertTrue(v.receivedStart() < v.receivedEnd() && v.receivedEnd() <= v.end());
      }
      if (v.rportStart() >= 0) {
        assertTrue(v.rportStart() < v.rportEnd() && v.rportEnd() <= v.end());
      }
      v.param("x");
      v.toString();
    }
  }

  /** A Route, Record-Route or Contact header: split, every value parsed as the proxy does. */
  private static void list(SipMessage m, int header) {
    byte[] b = m.bytes();
    int vs = m.headerValueStart(header);
    int ve = m.headerValueEnd(header);
    int[] small = new int[2];
    int n;
    try {
      n = NameAddr.splitValues(b, vs, ve, small);
    } catch (SipParseException e) {
      return;
    }
    assertTrue(n >= 1);
    int[] all = new int[2 * n];
    try {
      assertEquals(n, NameAddr.splitValues(b, vs, ve, all), "same count with room for all");
    } catch (SipParseException e) {
      fail("a list that split once must split again: " + e.getMessage());
    }
    assertEquals(small[0], all[0]);
    assertEquals(small[1], all[1]);
    int prev = vs;
    for (int k = 0; k < n; k++) {
      int s = all[2 * k];
      int e = all[2 * k + 1];
      assertTrue(prev <= s && s < e && e <= ve, "values in order inside the header");
      prev = e;
      try {
        nameAddr(NameAddr.parse(b, s, e, "Route"), "Route");
      } catch (SipParseException ignored) {
        // A malformed value: the proxy answers 400 (Route) or passes the header on untouched.
      }
    }
  }

  private static void nameAddr(NameAddr a, String what) {
    assertNotNull(a, what);
    assertTrue(a.start() < a.end(), what + " range");
    a.tag();
    a.displayName();
    a.param("x");
    a.hasAngleBrackets();
    a.toString();
    if (a.isStar()) {
      assertNull(a.uri());
      return;
    }
    assertNotNull(a.uri(), what + " URI");
    assertTrue(a.start() <= a.uriStart() && a.uriStart() < a.uriEnd() && a.uriEnd() <= a.end());
    assertTrue(a.paramsStart() <= a.paramsEnd() && a.paramsEnd() <= a.end());
    uri(a.uri());
  }

  private static void uri(SipUri u) {
    assertTrue(u.start() < u.end());
    u.user();
    u.password();
    u.transport();
    u.maddr();
    u.lr();
    u.userParam();
    u.param("x");
    u.headers();
    u.toString();
    if (u.isSip()) {
      assertNotNull(u.host(), "a SIP URI has a host");
      assertFalse(u.host().isEmpty());
      assertTrue(u.start() < u.hostStart() && u.hostStart() < u.hostEnd());
      assertTrue(u.hostEnd() <= u.portEnd() && u.portEnd() <= u.paramsStart());
      assertTrue(u.paramsStart() <= u.paramsEnd() && u.paramsEnd() <= u.end());
      assertTrue(u.port() == -1 || (u.port() >= 1 && u.port() <= 65535), "port " + u.port());
      u.isIpv6Host();
    }
  }

  /** A Via inserted above the first one (what forwarding does) leaves a message that decodes. */
  private static void insertVia(SipMessage m) {
    if (m.length() + VIA_LINE.length > LIMITS.maxMessageSize()
        || m.headerCount() >= LIMITS.maxHeaders()
        || m.vias().size() >= LIMITS.maxViaCount()) {
      return;
    }
    byte[] out =
        new MessageEditor(m).insert(m.headerLineStart(m.viaHeaderIndex(0)), VIA_LINE).apply();
    SipMessage f = DECODER.decode(out, out.length, false);
    assertNull(f.error(), () -> "a Via more must still decode: " + f.error().getMessage());
    assertEquals(m.vias().size() + 1, f.vias().size());
    assertEquals("z9hG4bK-fuzz-1", f.topVia().branch());
    assertEquals(m.callId(), f.callId());
    assertEquals(m.bodyLength(), f.bodyLength());
  }

  /**
   * A header line added where the headers end (what forwarding does with a missing Max-Forwards,
   * section 16.6 step 3, and with the header lines routing adds) leaves a message that decodes.
   */
  private static void insertAtHeadersEnd(SipMessage m) {
    if (m.length() + MAX_FORWARDS_LINE.length > LIMITS.maxMessageSize()
        || m.headerCount() >= LIMITS.maxHeaders()
        || m.maxForwardsHeader() >= 0) {
      return;
    }
    byte[] out = new MessageEditor(m).insert(m.headersEnd(), MAX_FORWARDS_LINE).apply();
    SipMessage f = DECODER.decode(out, out.length, false);
    assertNull(f.error(), () -> "a header line more must still decode: " + f.error());
    assertEquals(m.headerCount() + 1, f.headerCount());
    assertEquals(70, f.maxForwards());
    assertEquals(m.bodyLength(), f.bodyLength());
  }

  /** The top Via removed (what a response's forwarding does, 16.7 step 3) still decodes. */
  private static void stripTopVia(SipMessage m) {
    if (m.vias().size() < 2) {
      return;
    }
    MessageEditor e = new MessageEditor(m);
    int h0 = m.viaHeaderIndex(0);
    if (m.viaHeaderIndex(1) == h0) {
      e.delete(m.vias().get(0).start(), m.vias().get(1).start());
    } else {
      e.delete(m.headerLineStart(h0), m.headerLineEnd(h0));
    }
    byte[] out = e.apply();
    SipMessage f = DECODER.decode(out, out.length, false);
    assertNull(f.error(), () -> "without the top Via it must still decode: " + f.error());
    assertEquals(m.vias().size() - 1, f.vias().size());
    assertEquals(m.vias().get(1).toString(), f.topVia().toString());
  }
}
