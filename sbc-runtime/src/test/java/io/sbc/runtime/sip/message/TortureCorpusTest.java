package io.sbc.runtime.sip.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decodes every message of the RFC 4475 and RFC 5118 torture corpus and checks its manifest line.
 */
class TortureCorpusTest {

  /** One line of manifest.tsv: the file, its RFC section, title and the expected handling. */
  record Line(String file, String section, String title, String decision) {
    Path path() {
      return dir().resolve(section.startsWith("5118-") ? "rfc5118" : "rfc4475").resolve(file);
    }

    @Override
    public String toString() {
      return file + " (" + section + ") " + decision;
    }
  }

  /** What the decoder must make of a message. */
  enum Outcome {
    /** A request that parses cleanly. */
    REQUEST,
    /** A response that parses cleanly (a proxy then decides about it). */
    RESPONSE,
    /** A request with error() set: answered with the status the error carries. */
    REJECT,
    /** A malformed response: error() set, never answered (RFC 3261 section 18.1.2). */
    DROP
  }

  /**
   * For every 400 the reason phrase must name the actual defect: a fragment of the reason each
   * rejected file must produce (the reason goes into the "400 Bad Request (...)" answer).
   */
  private static final Map<String, String> REASONS =
      Map.ofEntries(
          Map.entry("badinv01.dat", "Via: empty parameter name"),
          Map.entry("clerr.dat", "Content-Length larger than message"),
          Map.entry("ncl.dat", "Malformed Content-Length"),
          // Header order decides which overlarge value is reported first: CSeq comes first.
          Map.entry("scalar02.dat", "CSeq value too large"),
          Map.entry("quotbal.dat", "unterminated quoted string"),
          Map.entry("ltgtruri.dat", "enclosed in <>"),
          Map.entry("lwsruri.dat", "whitespace in Request-URI"),
          Map.entry("lwsstart.dat", "more than one SP between elements"),
          Map.entry("escruri.dat", "headers not allowed"),
          Map.entry("badaspec.dat", "whitespace inside URI"),
          Map.entry("baddn.dat", "display name has non-token characters"),
          Map.entry("badvers.dat", "Version Not Supported"),
          Map.entry("mismatch01.dat", "CSeq method does not match"),
          Map.entry("mismatch02.dat", "CSeq method does not match"),
          Map.entry("insuf.dat", "Missing From"),
          Map.entry("unkscm.dat", "Unsupported URI Scheme"),
          Map.entry("novelsc.dat", "Unsupported URI Scheme"),
          Map.entry("multi01.dat", "Multiple CSeq header fields"),
          Map.entry("mcl01.dat", "Multiple Content-Length values"),
          Map.entry("ipv6-bad.dat", "IPv6 address without brackets"),
          Map.entry("scalarlg.dat", "CSeq value too large"),
          Map.entry("bigcode.dat", "Status code out of range"));

  /**
   * Lines where the manifest (or the RFC text it points to) leaves a choice, with the choice this
   * decoder makes. trws (RFC 4475 3.1.2.10): trailing SP after the version is accepted leniently.
   * badaspec (3.1.2.14): LWS inside {@code < sip:... >} is rejected with 400, since accepting it
   * would mean rewriting the To header before forwarding. regbadct (3.1.2.13): only a registrar
   * must refuse an unbracketed Contact URI with headers; "an element choosing to be liberal" may
   * infer the brackets, and a proxy never interprets a REGISTER's Contact, so it is forwarded.
   */
  private static final Map<String, Outcome> CHOICES =
      Map.of(
          "trws.dat", Outcome.REQUEST,
          "badaspec.dat", Outcome.REJECT,
          "regbadct.dat", Outcome.REQUEST);

  static Path dir() {
    return Path.of(System.getProperty("torture.dir", "/work/shared/sip-torture"));
  }

  static List<Line> manifest() throws IOException {
    List<Line> out = new ArrayList<>();
    for (String l : Files.readAllLines(dir().resolve("manifest.tsv"), StandardCharsets.UTF_8)) {
      if (l.isBlank() || l.startsWith("#")) {
        continue;
      }
      String[] f = l.split("\t");
      assertEquals(4, f.length, "manifest line: " + l);
      out.add(new Line(f[0], f[1], f[2], f[3]));
    }
    return out;
  }

  /** The outcome the manifest asks of a proxy, with {@link #CHOICES} where it allows two. */
  static Outcome expected(Line line) {
    Outcome c = CHOICES.get(line.file());
    if (c != null) {
      return c;
    }
    String d = line.decision();
    if (d.startsWith("reject: ")) {
      return Outcome.REJECT;
    }
    if (d.startsWith("drop")) {
      // bcast (RFC 4475 3.3.10) is a well-formed 200: the proxy drops it because its next Via
      // names a broadcast address, not because it fails to parse.
      return "bcast.dat".equals(line.file()) ? Outcome.RESPONSE : Outcome.DROP;
    }
    if (d.startsWith("parse (a response)")) {
      return Outcome.RESPONSE;
    }
    // Every other line asks for the request to be processed: parsed, then forwarded, or answered
    // by the proxy (zeromf 483, bext01 420), or by a registrar that this SBC does not have yet
    // (those REGISTERs are forwarded by the proxy, README.md).
    if (d.startsWith("parse")
        || d.startsWith("process")
        || d.startsWith("accept")
        || d.startsWith("proxy")
        || d.startsWith("registrar")
        || d.startsWith("a proxy may forward")) {
      return Outcome.REQUEST;
    }
    throw new AssertionError("manifest decision not classified: " + line);
  }

  /** The status a rejected request gets: the code in "reject: NNN", 400 for a chosen rejection. */
  static int expectedStatus(Line line) {
    String d = line.decision();
    if (!d.startsWith("reject: ")) {
      return 400;
    }
    return Integer.parseInt(d.substring(8, 11));
  }

  static byte[] bytes(Line line) throws IOException {
    return Files.readAllBytes(line.path());
  }

  static SipMessage decode(byte[] b) {
    return new SipMessageDecoder(SipLimits.DEFAULT).decode(b, b.length, false);
  }

  @Test
  void manifestListsTheWholeCorpus() throws IOException {
    List<Line> lines = manifest();
    assertEquals(61, lines.size(), "49 messages of RFC 4475 and 12 of RFC 5118");
    Set<String> listed = new HashSet<>();
    for (Line l : lines) {
      assertTrue(Files.isRegularFile(l.path()), "missing " + l.path());
      listed.add(l.path().toString());
    }
    for (String sub : List.of("rfc4475", "rfc5118")) {
      try (var files = Files.list(dir().resolve(sub))) {
        files.forEach(p -> assertTrue(listed.contains(p.toString()), "not in manifest: " + p));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("manifest")
  void decodesAsTheManifestExpects(Line line) throws IOException {
    byte[] b = bytes(line);
    SipMessage m = decode(b);
    assertNotNull(m, "no start line");
    Outcome want = expected(line);
    SipParseException e = m.error();
    switch (want) {
      case REQUEST -> {
        assertTrue(m.isRequest(), "a request");
        assertNull(e, () -> "unexpected error: " + e.status() + " " + e.getMessage());
        assertProxyFields(m);
      }
      case RESPONSE -> {
        assertTrue(m.isResponse(), "a response");
        assertNull(e, () -> "unexpected error: " + e.status() + " " + e.getMessage());
        assertNotNull(m.topVia());
        assertNotNull(m.cseqMethod());
      }
      case REJECT -> {
        assertTrue(m.isRequest(), "a request (it gets an answer)");
        assertNotNull(e, "the request must be refused");
        assertEquals(expectedStatus(line), e.status(), e.getMessage());
        String reason = REASONS.get(line.file());
        assertNotNull(reason, "no expected reason listed for " + line.file());
        assertTrue(
            e.getMessage().contains(reason),
            "reason '" + e.getMessage() + "' should name '" + reason + "'");
        // The answer is built from what parsed before the failure: a Via at least, unless the
        // start line itself failed.
        assertFalse(m.isResponse());
      }
      case DROP -> {
        assertTrue(m.isResponse(), "a response (never answered)");
        assertNotNull(e, "the response is malformed");
        String reason = REASONS.get(line.file());
        assertNotNull(reason, "no expected reason listed for " + line.file());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
      }
      default -> fail();
    }
    // No octet beyond the buffer is claimed, whatever the outcome.
    assertTrue(m.length() <= b.length);
  }

  /** The fields the proxy reads of every request it processes (RFC 3261 sections 8.1.1, 16.3). */
  private static void assertProxyFields(SipMessage m) {
    assertNotNull(m.method());
    assertNotNull(m.requestUri());
    assertNotNull(m.topVia(), "top Via");
    assertNotNull(m.from(), "From");
    assertNotNull(m.to(), "To");
    assertNotNull(m.callId(), "Call-ID");
    assertFalse(m.callId().isEmpty());
    assertTrue(m.cseq() >= 0, "CSeq number");
    assertEquals(m.method(), m.cseqMethod(), "CSeq method");
    assertTrue(m.bodyStart() <= m.length() && m.bodyLength() >= 0);
  }

  // ---------------------------------------------------------------- details of single messages

  static SipMessage decodeFile(String file) throws IOException {
    for (Line l : manifest()) {
      if (l.file().equals(file)) {
        return decode(bytes(l));
      }
    }
    throw new AssertionError("not in manifest: " + file);
  }

  @Test
  void wsinvFieldsThroughLwsAndFolding() throws IOException {
    // RFC 4475 3.1.1.1: every header the proxy reads, through LWS, folding and odd case.
    SipMessage m = decodeFile("wsinv.dat");
    assertNull(m.error());
    assertEquals("INVITE", m.method());
    assertEquals("wsinv.ndaksdj@192.0.2.1", m.callId());
    assertEquals(9, m.cseq());
    assertEquals(68, m.maxForwards());
    assertEquals("1918181833n", m.toTag());
    assertEquals("98asjd8", m.fromTag());
    assertEquals("J Rosenberg \\\"", m.from().displayName());
    assertEquals(3, m.vias().size());
    assertEquals("192.0.2.2", m.topVia().host());
    assertEquals("390skdjuw", m.topVia().branch());
    assertEquals("spindle.example.com", m.vias().get(1).host());
    assertEquals("TCP", m.vias().get(1).transport());
    assertEquals("z9hG4bK30239", m.vias().get(2).branch());
    assertEquals(150, m.bodyLength());
    assertTrue(m.findHeader(HeaderName.ROUTE) >= 0);
  }

  @Test
  void intmethKeepsTheExtensionMethod() throws IOException {
    SipMessage m = decodeFile("intmeth.dat");
    assertEquals("!interesting-Method0123456789_*+`.%indeed'~", m.method());
    assertEquals(m.method(), m.cseqMethod());
  }

  @Test
  void escapedUserParts() throws IOException {
    // RFC 4475 3.1.1.3 and 3.1.1.9: escapes and ';' stay in the user part; the host is found.
    SipMessage esc = decodeFile("esc01.dat");
    assertEquals("sips%3Auser%40example.com", esc.requestUri().user());
    assertEquals("example.net", esc.requestUri().host());
    SipMessage semi = decodeFile("semiuri.dat");
    assertEquals("user;par=u%40example.net", semi.requestUri().user());
    assertEquals("example.com", semi.requestUri().host());
    SipMessage nul = decodeFile("escnull.dat");
    assertNull(nul.error());
    assertEquals("RE%47IST%45R", decodeFile("esc02.dat").method());
  }

  @Test
  void dblreqIgnoresTheSecondRequest() throws IOException {
    // RFC 4475 3.1.1.8 / RFC 3261 18.3: octets after Content-Length in a datagram are discarded.
    byte[] b =
        bytes(
            manifest().stream()
                .filter(l -> l.file().equals("dblreq.dat"))
                .findFirst()
                .orElseThrow());
    SipMessage m = decode(b);
    assertNull(m.error());
    assertEquals("REGISTER", m.method());
    assertEquals(0, m.bodyLength());
    assertTrue(m.length() < b.length, "trailing octets excluded");
    assertEquals(m.bodyStart(), m.length());
    String rest = new String(b, m.length(), b.length - m.length(), StandardCharsets.ISO_8859_1);
    assertTrue(rest.strip().startsWith("INVITE sip:"), rest);
    assertFalse(m.toString().contains("INVITE"));
  }

  @Test
  void mpart01BodyIsKeptByteForByte() throws IOException {
    byte[] b =
        bytes(
            manifest().stream()
                .filter(l -> l.file().equals("mpart01.dat"))
                .findFirst()
                .orElseThrow());
    SipMessage m = decode(b);
    assertNull(m.error());
    int cl = Integer.parseInt(m.headerValue(HeaderName.CONTENT_LENGTH));
    assertEquals(cl, m.bodyLength());
    assertEquals(b.length, m.length());
    assertArrayEquals(
        Arrays.copyOfRange(b, b.length - cl, b.length),
        Arrays.copyOfRange(m.bytes(), m.bodyStart(), m.bodyStart() + m.bodyLength()));
  }

  @Test
  void proxyDecisionsNeedTheirInputs() throws IOException {
    // zeromf (3.3.11): parsed; the proxy answers 483 from maxForwards().
    assertEquals(0, decodeFile("zeromf.dat").maxForwards());
    // bext01 (3.3.5): parsed; the proxy answers 420 listing these option-tags.
    SipMessage bext = decodeFile("bext01.dat");
    assertEquals(
        "noProxiesSupportThis, norDoAnyProxiesSupportThis",
        bext.headerValue(HeaderName.PROXY_REQUIRE));
    // badbranch (3.2.1): a bare magic cookie is no RFC 3261 transaction id.
    SipMessage bad = decodeFile("badbranch.dat");
    assertEquals("z9hG4bK", bad.topVia().branch());
    assertFalse(bad.topVia().hasMagicCookieBranch());
    // inv2543 (3.4.1): no branch, no Max-Forwards, no Content-Length: the rest is the body.
    SipMessage old = decodeFile("inv2543.dat");
    assertNull(old.topVia().branch());
    assertEquals(-1, old.maxForwards());
    assertTrue(old.bodyLength() > 0);
    // bcast (3.3.10): the Via the response would go to is a broadcast address.
    assertEquals("255.255.255.255", decodeFile("bcast.dat").vias().get(1).host());
    // unksm2 (3.3.4): foreign schemes in To, From, Contact are not errors.
    SipMessage unk = decodeFile("unksm2.dat");
    assertEquals(SipUri.Scheme.OTHER, unk.to().uri().scheme());
    assertEquals(SipUri.Scheme.OTHER, unk.from().uri().scheme());
    // regbadct (3.1.2.13): parsed leniently; the Contact URI keeps its escaped header.
    SipMessage reg = decodeFile("regbadct.dat");
    assertEquals(
        "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
        reg.headerValue(HeaderName.CONTACT));
  }

  @Test
  void responseReasonPhrases() throws IOException {
    // 3.1.1.12: UTF-8 octets survive (ISO-8859-1 text round-trips them); 3.1.1.13: empty phrase.
    SipMessage u = decodeFile("unreason.dat");
    assertEquals(200, u.status());
    String reason =
        new String(u.reason().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    assertTrue(reason.endsWith("простое"), reason);
    SipMessage n = decodeFile("noreason.dat");
    assertEquals(100, n.status());
    assertEquals("", n.reason());
  }

  @Test
  void ipv6References() throws IOException {
    // RFC 5118 4.3 and 4.4: the brackets decide whether ":5070" is a port.
    SipUri amb = decodeFile("port-ambiguous.dat").requestUri();
    assertEquals("[2001:db8::10:5070]", amb.host());
    assertEquals(-1, amb.port());
    SipUri unamb = decodeFile("port-unambiguous.dat").requestUri();
    assertEquals("[2001:db8::10]", unamb.host());
    assertEquals(5070, unamb.port());
    // 4.5: three colons tolerated.
    assertEquals(
        "[2001:db8:::192.0.2.1]", decodeFile("ipv6-bug-abnf-3-colons.dat").requestUri().host());
    // 4.7: received with and without brackets.
    assertEquals(
        "[2001:db8::9:255]", decodeFile("via-received-param-with-delim.dat").topVia().received());
    assertEquals(
        "2001:db8::9:255", decodeFile("via-received-param-no-delim.dat").topVia().received());
    // 4.8: three Vias of mixed families.
    SipMessage multi = decodeFile("mult-ip-in-header.dat");
    assertEquals(3, multi.vias().size());
    assertEquals(6050, multi.topVia().port());
    assertEquals("192.0.2.200", multi.vias().get(2).received());
  }

  @Test
  void rfc5118SdpBodiesFollowContentLength() throws IOException {
    // These files' Content-Length counts LF line ends while the files carry CRLF: the datagram
    // is longer than the message, and RFC 3261 section 18.3 makes the extra octets trailing ones.
    for (String f : List.of("ipv4-mapped-ipv6.dat", "mult-ip-in-sdp.dat", "ipv6-in-sdp.dat")) {
      SipMessage m = decodeFile(f);
      assertNull(m.error(), f);
      assertEquals(Integer.parseInt(m.headerValue(HeaderName.CONTENT_LENGTH)), m.bodyLength(), f);
    }
  }
}
