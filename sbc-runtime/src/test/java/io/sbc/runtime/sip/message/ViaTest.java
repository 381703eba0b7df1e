package io.sbc.runtime.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ViaTest {

  static List<Via> vias(String value) throws SipParseException {
    byte[] b = ("Via: " + value + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    List<Via> out = new ArrayList<>();
    int n = Via.parseAll(b, 5, b.length - 2, out);
    assertEquals(n, out.size());
    return out;
  }

  static Via via(String value) throws SipParseException {
    List<Via> l = vias(value);
    assertEquals(1, l.size());
    return l.get(0);
  }

  static String error(String value) {
    return assertThrows(SipParseException.class, () -> vias(value), value).getMessage();
  }

  /** The text of {@code b[s, e)}. */
  static String text(Via v, int s, int e) {
    return new String(v.buffer(), s, e - s, StandardCharsets.ISO_8859_1);
  }

  // ---------------------------------------------------------------- torture file helpers

  static Path tortureDir() {
    return Path.of(System.getProperty("torture.dir", "/work/shared/sip-torture"));
  }

  static byte[] torture(String file) throws IOException {
    return Files.readAllBytes(tortureDir().resolve(file));
  }

  /**
   * The value ranges (start, end pairs; folded continuation lines included) of the header lines of
   * {@code msg} named by any of {@code names} (case-insensitive, LWS before ':' allowed).
   */
  static List<int[]> headerValues(byte[] msg, String... names) {
    List<int[]> out = new ArrayList<>();
    int i = 0;
    // skip the start line
    while (i < msg.length && msg[i] != '\n') {
      i++;
    }
    i++;
    while (i < msg.length) {
      int ls = i;
      if (msg[i] == '\r' || msg[i] == '\n') {
        break; // end of headers
      }
      int e = i;
      // a header line ends at a CRLF not followed by SP/HT
      while (true) {
        while (e < msg.length && msg[e] != '\n') {
          e++;
        }
        if (e + 1 < msg.length && (msg[e + 1] == ' ' || msg[e + 1] == '\t')) {
          e++;
          continue;
        }
        break;
      }
      int lineEnd = e > ls && msg[e - 1] == '\r' ? e - 1 : e;
      int colon = ls;
      while (colon < lineEnd && msg[colon] != ':') {
        colon++;
      }
      int ne = colon;
      while (ne > ls && (msg[ne - 1] == ' ' || msg[ne - 1] == '\t')) {
        ne--;
      }
      String name = new String(msg, ls, ne - ls, StandardCharsets.ISO_8859_1);
      for (String n : names) {
        if (n.equalsIgnoreCase(name)) {
          out.add(new int[] {colon + 1, lineEnd});
        }
      }
      i = e + 1;
    }
    return out;
  }

  static List<Via> tortureVias(String file) throws Exception {
    byte[] msg = torture(file);
    List<Via> out = new ArrayList<>();
    for (int[] r : headerValues(msg, "Via", "v")) {
      Via.parseAll(msg, r[0], r[1], out);
    }
    return out;
  }

  // ---------------------------------------------------------------- tests

  @Test
  void simpleVia() throws Exception {
    Via v = via("SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw");
    assertEquals("UDP", v.transport());
    assertEquals("SIP/2.0", v.protocol());
    assertEquals("host5.example.net", v.host());
    assertEquals(-1, v.port());
    assertEquals("z9hG4bKkdjuw", v.branch());
    assertTrue(v.hasMagicCookieBranch());
    assertFalse(v.hasRport());
    assertEquals(-1, v.rport());
    assertNull(v.received());
    assertNull(v.maddr());
    assertEquals(-1, v.ttl());
    assertEquals(5, v.start());
    assertEquals("SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw", v.toString());
    assertEquals("host5.example.net", text(v, v.hostStart(), v.sentByEnd()));
    assertEquals("z9hG4bKkdjuw", text(v, v.branchValueStart(), v.branchValueEnd()));
    assertEquals(-1, v.rportStart());
    assertEquals(-1, v.receivedStart());
  }

  @Test
  void portRportReceived() throws Exception {
    Via v = via("SIP/2.0/tcp 192.0.2.1:5070;rport=41234;received=198.51.100.7;branch=z9hG4bK1");
    assertEquals("TCP", v.transport());
    assertEquals("192.0.2.1", v.host());
    assertEquals(5070, v.port());
    assertEquals("192.0.2.1:5070", text(v, v.hostStart(), v.sentByEnd()));
    assertTrue(v.hasRport());
    assertEquals(41234, v.rport());
    assertEquals(";rport=41234", text(v, v.rportStart(), v.rportEnd()));
    assertEquals("198.51.100.7", v.received());
    assertEquals(";received=198.51.100.7", text(v, v.receivedStart(), v.receivedEnd()));
  }

  @Test
  void rportFlag() throws Exception {
    Via v = via("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx;rport");
    assertTrue(v.hasRport());
    assertEquals(-1, v.rport());
    assertEquals(";rport", text(v, v.rportStart(), v.rportEnd()));
    assertEquals(v.end(), v.rportEnd());
    assertEquals("", v.param("rport"));
  }

  @Test
  void maddrTtlAndExtensions() throws Exception {
    Via v =
        via("SIP/2.0/UDP h;maddr=224.2.0.1;ttl=16;x-ext=\"quoted, value;with\";flag;Branch=abc");
    assertEquals("224.2.0.1", v.maddr());
    assertEquals(16, v.ttl());
    assertEquals("\"quoted, value;with\"", v.param("X-EXT"));
    assertEquals("", v.param("flag"));
    assertTrue(v.hasParam("flag"));
    assertFalse(v.hasParam("nope"));
    assertEquals("abc", v.branch());
    assertFalse(v.hasMagicCookieBranch());
  }

  @Test
  void magicCookieIsCaseSensitive() throws Exception {
    assertFalse(via("SIP/2.0/UDP h;branch=Z9HG4BKabc").hasMagicCookieBranch());
    assertFalse(via("SIP/2.0/UDP h;branch=z9hG4b").hasMagicCookieBranch());
    // RFC 4475 section 3.2.1: a bare cookie is no transaction id (RFC 2543 matching applies).
    assertFalse(via("SIP/2.0/UDP h;branch=z9hG4bK").hasMagicCookieBranch());
    assertTrue(via("SIP/2.0/UDP h;branch=z9hG4bKx").hasMagicCookieBranch());
    assertFalse(via("SIP/2.0/UDP h").hasMagicCookieBranch());
  }

  @Test
  void wsinvLinearWhitespaceEverywhere() throws Exception {
    List<Via> l = tortureVias("rfc4475/wsinv.dat");
    assertEquals(3, l.size());
    Via a = l.get(0);
    assertEquals("UDP", a.transport());
    assertEquals("192.0.2.2", a.host());
    assertEquals("390skdjuw", a.branch());
    assertFalse(a.hasMagicCookieBranch());
    Via b = l.get(1);
    assertEquals("TCP", b.transport());
    assertEquals("spindle.example.com", b.host());
    assertEquals("z9hG4bK9ikj8", b.branch());
    assertTrue(b.toString().startsWith("SIP  / 2.0  / TCP"));
    assertTrue(b.toString().endsWith("z9hG4bK9ikj8"));
    Via c = l.get(2);
    assertEquals("UDP", c.transport());
    assertEquals("192.168.255.111", c.host());
    assertEquals("z9hG4bK30239", c.branch());
    assertTrue(c.hasMagicCookieBranch());
    assertEquals("z9hG4bK30239", c.toString().substring(c.toString().length() - 12));
  }

  @Test
  void lwsAroundSeparators() throws Exception {
    List<Via> l =
        vias(" SIP / 2.0 / UDP host : 5060 ; branch = z9hG4bKa ; rport , SIP/2.0/TCP h2 ");
    assertEquals(2, l.size());
    assertEquals(5060, l.get(0).port());
    assertEquals("host : 5060", text(l.get(0), l.get(0).hostStart(), l.get(0).sentByEnd()));
    assertEquals("z9hG4bKa", l.get(0).branch());
    assertTrue(l.get(0).hasRport());
    assertEquals("SIP / 2.0 / UDP host : 5060 ; branch = z9hG4bKa ; rport", l.get(0).toString());
    assertEquals("SIP/2.0/TCP h2", l.get(1).toString());
  }

  @Test
  void transportsTortureMessage() throws Exception {
    List<Via> l = tortureVias("rfc4475/transports.dat");
    assertEquals(5, l.size());
    assertEquals("UDP", l.get(0).transport());
    assertEquals("SCTP", l.get(1).transport());
    assertEquals("TLS", l.get(2).transport());
    assertEquals("UNKNOWN", l.get(3).transport());
    assertEquals("TCP", l.get(4).transport());
    assertEquals("t4.example.com", l.get(3).host());
  }

  @Test
  void wsTransports() throws Exception {
    assertEquals("WS", via("SIP/2.0/ws df7jal23ls0d.invalid;branch=z9hG4bKx").transport());
    assertEquals("WSS", via("SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKx").transport());
    assertEquals("FOO-BAR", via("SIP/2.0/foo-bar h").transport());
  }

  @Test
  void esc02PercentInBranchIsAToken() throws Exception {
    Via v = tortureVias("rfc4475/esc02.dat").get(0);
    assertEquals("z9hG4bK209%fzsnel234", v.branch());
  }

  @Test
  void badbranchAndRfc2543() throws Exception {
    assertEquals("z9hG4bK", tortureVias("rfc4475/badbranch.dat").get(0).branch());
    Via v = tortureVias("rfc4475/inv2543.dat").get(0);
    assertNull(v.branch());
    assertEquals("iftgw.example.com", v.host());
  }

  @Test
  void longreqManyVias() throws Exception {
    List<Via> l = tortureVias("rfc4475/longreq.dat");
    assertEquals(34, l.size());
    assertEquals("sip33.example.com", l.get(0).host());
    Via last = l.get(33);
    assertEquals("192.0.2.5", last.received());
    assertTrue(last.branch().startsWith("verylong"));
  }

  @Test
  void intmethUnusualBranch() throws Exception {
    Via v = tortureVias("rfc4475/intmeth.dat").get(0);
    assertEquals("z9hG4bK-.!%66*_+`'~", v.branch());
  }

  @Test
  void allTortureViasParseExceptIpv6Bad() throws Exception {
    for (String f :
        new String[] {
          "rfc4475/wsinv.dat", "rfc4475/esc01.dat", "rfc4475/escnull.dat", "rfc4475/lwsdisp.dat",
          "rfc4475/semiuri.dat", "rfc4475/bcast.dat", "rfc4475/ltgtruri.dat", "rfc4475/lwsruri.dat",
          "rfc4475/unksm2.dat", "rfc4475/quotbal.dat", "rfc4475/baddn.dat", "rfc4475/badaspec.dat"
        }) {
      assertFalse(tortureVias(f).isEmpty(), f);
    }
    assertEquals(-1, tortureVias("rfc4475/ltgtruri.dat").get(0).port());
    assertEquals(5060, tortureVias("rfc4475/lwsruri.dat").get(0).port());
    assertEquals("255.255.255.255", tortureVias("rfc4475/bcast.dat").get(1).host());
  }

  @Test
  void rfc5118Ipv6SentBy() throws Exception {
    Via v = tortureVias("rfc5118/ipv6-good.dat").get(0);
    assertEquals("[2001:db8::9:1]", v.host());
    assertEquals(-1, v.port());
    List<Via> l = tortureVias("rfc5118/mult-ip-in-header.dat");
    assertEquals(3, l.size());
    assertEquals("[2001:db8::9:1]", l.get(0).host());
    assertEquals(6050, l.get(0).port());
    assertEquals("192.0.2.1", l.get(1).host());
    assertEquals("[2001:db8::9:255]", l.get(2).host());
    assertEquals("TCP", l.get(2).transport());
    assertEquals("192.0.2.200", l.get(2).received());
    l = tortureVias("rfc5118/ipv4-mapped-ipv6.dat");
    assertEquals("[::ffff:192.0.2.10]", l.get(0).host());
    assertEquals(19823, l.get(0).port());
    assertEquals("[::ffff:192.0.2.2]", l.get(1).host());
  }

  @Test
  void rfc5118ReceivedWithAndWithoutBrackets() throws Exception {
    Via v = tortureVias("rfc5118/via-received-param-with-delim.dat").get(0);
    assertEquals("[2001:db8::9:255]", v.received());
    assertEquals("z9hG4bKas3-111", v.branch());
    v = tortureVias("rfc5118/via-received-param-no-delim.dat").get(0);
    assertEquals("2001:db8::9:255", v.received());
    assertEquals("z9hG4bKas3", v.branch());
    assertEquals(";received=2001:db8::9:255", text(v, v.receivedStart(), v.receivedEnd()));
  }

  @Test
  void rfc5118AllFilesParse() throws Exception {
    for (String f :
        new String[] {
          "ipv4-mapped-ipv6.dat",
          "ipv6-bad.dat",
          "ipv6-bug-abnf-3-colons.dat",
          "ipv6-correct-abnf-2-colons.dat",
          "ipv6-good.dat",
          "ipv6-in-sdp.dat",
          "mult-ip-in-header.dat",
          "mult-ip-in-sdp.dat",
          "port-ambiguous.dat",
          "port-unambiguous.dat",
          "via-received-param-no-delim.dat",
          "via-received-param-with-delim.dat"
        }) {
      assertFalse(tortureVias("rfc5118/" + f).isEmpty(), f);
    }
  }

  @Test
  void errors() {
    assertEquals("Via: empty header value", error("   "));
    assertEquals("Via: missing protocol version", error("SIP host"));
    assertEquals("Via: missing protocol version", error("SIP/ /UDP host"));
    assertEquals("Via: missing transport", error("SIP/2.0 host"));
    // SLASH = SWS "/" SWS: "host" is read as the transport
    assertEquals("Via: missing sent-by", error("SIP/2.0/ host"));
    assertEquals("Via: missing protocol name", error("/2.0/UDP host"));
    assertEquals("Via: missing sent-by", error("SIP/2.0/UDP"));
    assertEquals("Via: missing sent-by", error("SIP/2.0/UDP   "));
    assertEquals("Via: missing sent-by", error("SIP/2.0/UDP ;branch=z9hG4bK1"));
    assertEquals("Via: missing sent-by", error("SIP/2.0/UDP;branch=z9hG4bK1"));
    assertEquals("Via: missing port after ':'", error("SIP/2.0/UDP host:"));
    assertEquals("Via: bad port", error("SIP/2.0/UDP host:50x60"));
    assertEquals("Via: bad port", error("SIP/2.0/UDP host:65536"));
    assertEquals("Via: bad port", error("SIP/2.0/UDP host:0"));
    assertEquals("Via: bad port", error("SIP/2.0/UDP host:999999999999999999999"));
    assertEquals("Via: IPv6 address without brackets in sent-by", error("SIP/2.0/UDP 2001:db8::1"));
    assertEquals("Via: unterminated '[' in sent-by", error("SIP/2.0/UDP [2001:db8::1"));
    assertEquals("Via sent-by: invalid IPv6 reference", error("SIP/2.0/UDP [2001:xyz::1]"));
    assertEquals("Via sent-by: invalid IPv6 reference", error("SIP/2.0/UDP [1:2:3:4:5:6:7:8:9]"));
    // The same host grammar as URIs: strict IPv4 (no octal-looking or short forms), valid names.
    assertEquals("Via sent-by: invalid IPv4 address in host", error("SIP/2.0/UDP 256.1.1.1"));
    assertEquals("Via sent-by: invalid IPv4 address in host", error("SIP/2.0/UDP 010.0.0.1:5060"));
    assertEquals("Via sent-by: invalid host name", error("SIP/2.0/UDP -bad-.example.com"));
    assertEquals("Via: invalid character in sent-by", error("SIP/2.0/UDP <host>"));
    assertEquals("Via: empty parameter name", error("SIP/2.0/UDP host;"));
    assertEquals("Via: empty parameter name", error("SIP/2.0/UDP host;;branch=z9hG4bK1"));
    assertEquals("Via: empty parameter value", error("SIP/2.0/UDP host;branch="));
    assertEquals("Via: branch without value", error("SIP/2.0/UDP host;branch"));
    assertEquals("Via: unterminated quoted string", error("SIP/2.0/UDP host;x=\"abc"));
    assertEquals("Via: bad rport", error("SIP/2.0/UDP host;rport=abc"));
    assertEquals("Via: bad rport", error("SIP/2.0/UDP host;rport=70000"));
    assertEquals("Via: bad ttl", error("SIP/2.0/UDP host;ttl=256"));
    assertEquals("Via: received is not an IP address", error("SIP/2.0/UDP host;received=evil"));
    assertEquals("Via: unexpected character after via-parm", error("SIP/2.0/UDP host extra"));
    assertEquals("Via: unexpected character after via-parm", error("SIP/2.0/UDP host;a=b c"));
    assertEquals("Via: empty via-parm", error("SIP/2.0/UDP host,"));
    assertEquals("Via: empty via-parm", error("SIP/2.0/UDP host,,SIP/2.0/UDP h2"));
  }

  @Test
  void outListKeepsEarlierEntriesOnError() {
    byte[] b = "SIP/2.0/UDP a, SIP/2.0/UDP".getBytes(StandardCharsets.US_ASCII);
    List<Via> out = new ArrayList<>();
    assertThrows(SipParseException.class, () -> Via.parseAll(b, 0, b.length, out));
    assertEquals(1, out.size());
  }

  @Test
  void randomGarbageOnlyThrowsSipParseException() {
    Random r = new Random(7);
    byte[] alphabet =
        "SIP/2.0/UDP [::1]:5060;branch=z9hG4bK;rport=;received=\", \r\n\tx"
            .getBytes(StandardCharsets.ISO_8859_1);
    for (int n = 0; n < 200_000; n++) {
      int len = r.nextInt(40);
      byte[] b = new byte[len];
      for (int i = 0; i < len; i++) {
        b[i] = r.nextInt(20) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
      }
      if (len > 12 && r.nextBoolean()) {
        System.arraycopy("SIP/2.0/UDP ".getBytes(StandardCharsets.US_ASCII), 0, b, 0, 12);
      }
      try {
        List<Via> out = new ArrayList<>();
        Via.parseAll(b, 0, len, out);
        for (Via v : out) {
          v.transport();
          v.host();
          v.branch();
          v.received();
          v.maddr();
          v.param("x");
          v.protocol();
          v.toString();
        }
      } catch (SipParseException expected) {
        // fine
      } catch (RuntimeException e) {
        fail("unexpected " + e + " for " + new String(b, StandardCharsets.ISO_8859_1));
      }
    }
  }
}
