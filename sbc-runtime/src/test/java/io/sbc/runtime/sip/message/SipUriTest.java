package io.sbc.runtime.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SipUriTest {

  static SipUri uri(String s) throws SipParseException {
    byte[] b = ("xx" + s + "yy").getBytes(StandardCharsets.ISO_8859_1);
    // Offsets are absolute: parse a slice in the middle of a buffer.
    return SipUri.parse(b, 2, b.length - 2, "Request-URI");
  }

  static String error(String s) {
    SipParseException e = assertThrows(SipParseException.class, () -> uri(s), s);
    assertEquals(400, e.status());
    return e.getMessage();
  }

  @Test
  void simpleSipUri() throws Exception {
    SipUri u = uri("sip:alice@example.com");
    assertEquals(SipUri.Scheme.SIP, u.scheme());
    assertEquals("alice", u.user());
    assertEquals("example.com", u.host());
    assertEquals(-1, u.port());
    assertNull(u.transport());
    assertFalse(u.lr());
    assertFalse(u.hasHeaders());
    assertEquals("sip:alice@example.com", u.toString());
    assertEquals(2, u.start());
    assertEquals(2 + 21, u.end());
    assertEquals(6, u.userStart());
    assertEquals(11, u.userEnd());
    assertEquals(12, u.hostStart());
    assertEquals(23, u.hostEnd());
    assertEquals(23, u.portEnd());
    assertEquals(23, u.paramsStart());
    assertEquals(23, u.paramsEnd());
  }

  @Test
  void schemeIsCaseInsensitive() throws Exception {
    assertEquals(SipUri.Scheme.SIP, uri("SIP:host").scheme());
    assertEquals(SipUri.Scheme.SIPS, uri("SiPs:bob@host:5061").scheme());
    assertEquals(SipUri.Scheme.TEL, uri("TEL:+1234").scheme());
    byte[] b = "sips:x".getBytes(StandardCharsets.US_ASCII);
    assertTrue(SipUri.isSipScheme(b, 0, b.length));
    assertTrue(SipUri.isSipsScheme(b, 0, b.length));
    assertFalse(SipUri.isTelScheme(b, 0, b.length));
  }

  @Test
  void portParamsAndHeaders() throws Exception {
    SipUri u =
        uri("sip:bob:secret@host.example.com:5070;transport=TCP;lr;maddr=10.0.0.1?Subject=hi&X=y");
    assertEquals("bob", u.user());
    assertEquals("secret", u.password());
    assertEquals("host.example.com", u.host());
    assertEquals(5070, u.port());
    assertEquals("tcp", u.transport());
    assertTrue(u.lr());
    assertEquals("10.0.0.1", u.maddr());
    assertEquals("", u.param("LR"));
    assertEquals("TCP", u.param("Transport"));
    assertTrue(u.hasParam("maddr"));
    assertFalse(u.hasParam("ttl"));
    assertNull(u.param("ttl"));
    assertTrue(u.hasHeaders());
    assertEquals("Subject=hi&X=y", u.headers());
    String s = u.toString();
    assertEquals(
        ";transport=TCP;lr;maddr=10.0.0.1", s.substring(u.paramsStart() - 2, u.paramsEnd() - 2));
    assertEquals("host.example.com:5070", s.substring(u.hostStart() - 2, u.portEnd() - 2));
  }

  @Test
  void unknownTransportIsLowerCased() throws Exception {
    assertEquals("foo", uri("sip:h;transport=FOO").transport());
    assertEquals("ws", uri("sip:h;transport=WS").transport());
  }

  @Test
  void wsinvRequestUri() throws Exception {
    SipUri u = uri("sip:vivekg@chair-dnrc.example.com;unknownparam");
    assertEquals("vivekg", u.user());
    assertEquals("chair-dnrc.example.com", u.host());
    assertEquals("", u.param("unknownparam"));
  }

  @Test
  void routeWithLrAndUnknownParams() throws Exception {
    SipUri u = uri("sip:services.example.com;lr;unknownwith=value;unknown-no-value");
    assertNull(u.user());
    assertEquals(-1, u.userStart());
    assertTrue(u.lr());
    assertEquals("value", u.param("unknownwith"));
    assertEquals("", u.param("unknown-no-value"));
  }

  @Test
  void esc01EscapedUserAndParams() throws Exception {
    SipUri u = uri("sip:sips%3Auser%40example.com@example.net");
    assertEquals("sips%3Auser%40example.com", u.user());
    assertEquals("example.net", u.host());
    u = uri("sip:%75se%72@example.com");
    assertEquals("%75se%72", u.user());
    u = uri("sip:I%20have%20spaces@example.net");
    assertEquals("I%20have%20spaces", u.user());
    u = uri("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
    assertEquals("v%61lue%25%34%31", u.param("n%61me"));
    assertTrue(u.hasParam("%6c%72"));
  }

  @Test
  void escnullEscapedNulls() throws Exception {
    assertEquals("null-%00-null", uri("sip:null-%00-null@example.com").user());
    assertEquals("%00", uri("sip:%00@host5.example.com").user());
    assertEquals("%00%00", uri("sip:%00%00@host5.example.com").user());
  }

  @Test
  void badEscapes() {
    assertTrue(error("sip:a%4@host").contains("escape"));
    assertTrue(error("sip:a%zz@host").contains("escape"));
    assertTrue(error("sip:host;p=%").contains("escape"));
  }

  @Test
  void semiuriUserWithSemicolon() throws Exception {
    SipUri u = uri("sip:user;par=u%40example.net@example.com");
    assertEquals("user;par=u%40example.net", u.user());
    assertEquals("example.com", u.host());
    assertNull(u.param("par"));
    assertEquals(u.end(), u.paramsStart());
  }

  @Test
  void intmethUnusualUserAndPassword() throws Exception {
    SipUri u =
        uri(
            "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too."
                + "(doesn't-it)@example.com");
    assertEquals("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", u.user());
    assertEquals("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", u.password());
    assertEquals("example.com", u.host());
    assertFalse(u.hasHeaders());
  }

  @Test
  void escruriHeadersAreReportedForTheCallerToRefuse() throws Exception {
    SipUri u = uri("sip:user@example.com?Route=%3Csip:example.com%3E");
    assertTrue(u.hasHeaders());
    assertEquals("example.com", u.host());
    assertEquals("Route=%3Csip:example.com%3E", u.headers());
  }

  @Test
  void ltgtruriIsRejected() {
    assertEquals("Request-URI: '<' or '>' inside URI", error("<sip:user@example.com>"));
    assertEquals("Request-URI: '<' or '>' inside URI", error("sip:user@exa<mple.com"));
  }

  @Test
  void whitespaceIsRejected() {
    assertEquals("Request-URI: whitespace inside URI", error("sip:user@example.com; lr"));
    assertEquals("Request-URI: whitespace inside URI", error("sip:us er@example.com"));
    assertEquals("Request-URI: whitespace inside URI", error("sip:user@example.com\t"));
    assertEquals("Request-URI: whitespace inside URI", error("sip:user@exa\r\nmple.com"));
  }

  @Test
  void lwsruriLeftoverSemicolonIsRejected() {
    // A request-line parser splitting at SP hands over "sip:user@example.com;".
    assertEquals("Request-URI: empty URI parameter name", error("sip:user@example.com;"));
    assertEquals("Request-URI: empty URI parameter name", error("sip:host;;lr"));
  }

  @Test
  void hostErrors() {
    assertEquals("Request-URI: empty host", error("sip:user@"));
    assertEquals("Request-URI: empty host", error("sip:user@:5060"));
    assertEquals("Request-URI: empty host", error("sip:;lr"));
    assertEquals("Request-URI: invalid character in host", error("sip:user@exa$mple.com"));
    assertEquals("Request-URI: unterminated '[' in host", error("sip:[2001:db8::1"));
    assertEquals("Request-URI: invalid IPv6 reference", error("sip:[2001:zz::1]"));
    assertEquals("Request-URI: invalid IPv6 reference", error("sip:[1234]"));
    assertEquals("Request-URI: empty IPv6 reference", error("sip:[]"));
    assertEquals(
        "Request-URI: unexpected character after IPv6 reference", error("sip:[2001:db8::1]x"));
    assertEquals("Request-URI: empty user part", error("sip:@host"));
    assertEquals("Request-URI: empty user part", error("sip::pw@host"));
  }

  @Test
  void portErrors() {
    assertEquals("Request-URI: empty port", error("sip:host:"));
    assertEquals("Request-URI: empty port", error("sip:host:;lr"));
    assertEquals("Request-URI: port is not a number", error("sip:host:50a"));
    assertEquals("Request-URI: port is not a number", error("sip:host:-1"));
    assertEquals("Request-URI: port out of range", error("sip:host:65536"));
    assertEquals("Request-URI: port out of range", error("sip:host:99999999999999999999"));
    assertEquals("Request-URI: port out of range", error("sip:host:0"));
  }

  @Test
  void portBounds() throws Exception {
    assertEquals(1, uri("sip:host:1").port());
    assertEquals(65535, uri("sip:host:65535").port());
    assertEquals(5060, uri("sip:host:05060").port());
  }

  @Test
  void schemeErrors() {
    assertEquals("Request-URI: missing URI scheme", error("user@example.com"));
    assertEquals("Request-URI: missing URI scheme", error(":foo"));
    assertEquals("Request-URI: missing URI scheme", error("1sip:foo"));
    assertEquals("Request-URI: nothing after URI scheme", error("sip:"));
    assertEquals("Request-URI: empty URI", error(""));
  }

  @Test
  void unknownSchemeIsOtherNotAnError() throws Exception {
    SipUri u = uri("nobodyKnowsThisScheme:totallyopaquecontent");
    assertEquals(SipUri.Scheme.OTHER, u.scheme());
    assertNull(u.host());
    assertNull(u.user());
    assertEquals(-1, u.port());
    assertNull(u.param("x"));
    assertEquals("nobodyKnowsThisScheme:totallyopaquecontent", u.toString());
    assertEquals(SipUri.Scheme.OTHER, uri("http://www.example.com").scheme());
    assertEquals(SipUri.Scheme.OTHER, uri("isbn:2983792873").scheme());
    assertEquals(SipUri.Scheme.OTHER, uri("name:John_Smith").scheme());
    assertEquals(SipUri.Scheme.OTHER, uri("im:user@example.com").scheme());
  }

  @Test
  void telUri() throws Exception {
    SipUri u = uri("tel:+1-201-555-0123;phone-context=example.com;ext=22");
    assertEquals(SipUri.Scheme.TEL, u.scheme());
    assertEquals("+1-201-555-0123", u.user());
    assertNull(u.host());
    assertEquals(-1, u.hostStart());
    assertEquals("example.com", u.param("phone-context"));
    assertEquals("22", u.param("EXT"));
    assertEquals("tel:+1-201-555-0123".length() + 2, u.portEnd());
    assertEquals("tel:7042;phone-context=+1-201", uri("tel:7042;phone-context=+1-201").toString());
    assertEquals("*21#", uri("tel:*21#;phone-context=example.com").user());
    assertEquals(
        "Request-URI: invalid character in telephone number", error("tel:+1-201-555-01x3"));
    assertEquals("Request-URI: empty telephone number", error("tel:;phone-context=x"));
    assertEquals("Request-URI: '?' inside tel URI", error("tel:+1234;a=b?c=d"));
  }

  @Test
  void ipv6References() throws Exception {
    SipUri u = uri("sip:[2001:db8::10]");
    assertEquals("[2001:db8::10]", u.host());
    assertTrue(u.isIpv6Host());
    assertEquals(-1, u.port());
    // RFC 5118 4.4 port-unambiguous
    u = uri("sip:[2001:db8::10]:5070");
    assertEquals("[2001:db8::10]", u.host());
    assertEquals(5070, u.port());
    // RFC 5118 4.3 port-ambiguous: the whole bracketed text is the address
    u = uri("sip:[2001:db8::10:5070]");
    assertEquals("[2001:db8::10:5070]", u.host());
    assertEquals(-1, u.port());
    // RFC 5118 4.5: three colons accepted leniently, two colons correct
    assertEquals("[2001:db8:::192.0.2.1]", uri("sip:user@[2001:db8:::192.0.2.1]").host());
    assertEquals("[2001:db8::192.0.2.1]", uri("sip:user@[2001:db8::192.0.2.1]").host());
    // RFC 5118 4.6 IPv4-mapped
    u = uri("sip:ted@[::ffff:192.0.2.2]");
    assertEquals("ted", u.user());
    assertEquals("[::ffff:192.0.2.2]", u.host());
    u = uri("sip:caller@[2001:db8::1];maddr=[2001:db8::2];lr");
    assertEquals("[2001:db8::2]", u.maddr());
    assertTrue(u.lr());
  }

  @Test
  void ipv6WithoutBracketsIsRejected() {
    // RFC 5118 4.2 ipv6-bad
    assertEquals("Request-URI: IPv6 address without brackets", error("sip:2001:db8::10"));
    assertEquals("Request-URI: IPv6 address without brackets", error("sip:user@2001:db8::10:5060"));
  }

  /** The IPv6 reference is an address (RFC 4291 text), not any run of hex digits and colons. */
  @Test
  void ipv6ReferenceSyntax() throws Exception {
    for (String ok :
        new String[] {
          "[::1]", "[::]", "[2001:DB8::1]", "[1:2:3:4:5:6:7:8]", "[::ffff:192.0.2.1]"
        }) {
      assertEquals(ok, uri("sip:" + ok + ":5060").host(), ok);
    }
    for (String bad :
        new String[] {
          "[1:2]",
          "[::::]",
          "[1::2::3]",
          "[12345::1]",
          "[1:2:3:4:5:6:7:8:9]",
          "[::256.1.1.1]",
          "[::1.2.3]",
          "[2001:db8:::1]", // three colons only before a dotted IPv4 part (RFC 5118 4.5)
          "[fe80::1%25eth0]", // no zone ids in SIP URIs
          "[192.0.2.1]"
        }) {
      assertEquals("Request-URI: invalid IPv6 reference", error("sip:alice@" + bad), bad);
    }
  }

  /**
   * A host of digits and dots can only be an IPv4 address (an RFC 3261 toplabel starts with a
   * letter), read strictly: inet_aton would take "1.2.3" and "010.0.0.1" for other addresses.
   */
  @Test
  void hostSyntax() throws Exception {
    for (String ok :
        new String[] {
          "a", "example.com", "EXAMPLE.com.", "1a.example.com", "_sip._udp.example.com", "0.0.0.0"
        }) {
      assertEquals(ok, uri("sip:alice@" + ok + ";lr").host(), ok);
    }
    for (String bad :
        new String[] {"1.2.3", "01.2.3.4", "256.1.1.1", "1.2.3.4.5", "1..2.3", "127.1"}) {
      assertEquals("Request-URI: invalid IPv4 address in host", error("sip:alice@" + bad), bad);
    }
    for (String bad :
        new String[] {
          "example..com",
          "-a.example.com",
          "a-.example.com",
          "example.123",
          ".example.com",
          "a".repeat(64) + ".example.com",
          "example.com..",
          "a._b"
        }) {
      assertEquals("Request-URI: invalid host name", error("sip:alice@" + bad + ":5060"), bad);
    }
  }

  @Test
  void ipv4Host() throws Exception {
    SipUri u = uri("sip:192.0.2.1:5060;transport=udp");
    assertEquals("192.0.2.1", u.host());
    assertEquals(5060, u.port());
    assertEquals("udp", u.transport());
    assertFalse(u.isIpv6Host());
  }

  @Test
  void headerErrors() {
    assertEquals("Request-URI: empty URI headers", error("sip:host?"));
    assertEquals("Request-URI: URI header without name or '='", error("sip:host?a"));
    assertEquals("Request-URI: URI header without name or '='", error("sip:host?a=b&"));
    assertEquals("Request-URI: URI header without name or '='", error("sip:host?=b"));
  }

  @Test
  void controlAndNonAsciiOctets() {
    assertEquals("Request-URI: control character inside URI", error("sip:a\u0000b@host"));
    assertEquals("Request-URI: non-ASCII octet inside URI", error("sip:\u00e9@host"));
  }

  @Test
  void defaultContextPrefix() {
    byte[] b = "sip:a b".getBytes(StandardCharsets.US_ASCII);
    SipParseException e = assertThrows(SipParseException.class, () -> SipUri.parse(b, 0, b.length));
    assertEquals("URI: whitespace inside URI", e.getMessage());
  }

  @Test
  void badRangesDoNotThrowOtherExceptions() {
    byte[] b = "sip:host".getBytes(StandardCharsets.US_ASCII);
    assertThrows(SipParseException.class, () -> SipUri.parse(b, 3, 2));
    assertThrows(SipParseException.class, () -> SipUri.parse(b, 0, 99));
    assertThrows(SipParseException.class, () -> SipUri.parse(null, 0, 0));
  }

  @Test
  void randomGarbageOnlyThrowsSipParseException() {
    Random r = new Random(42);
    byte[] alphabet = "sip:tel@[]:;=?&%<>\" \t.-_a1Z9f".getBytes(StandardCharsets.ISO_8859_1);
    for (int n = 0; n < 200_000; n++) {
      int len = r.nextInt(24);
      byte[] b = new byte[len];
      for (int i = 0; i < len; i++) {
        b[i] = r.nextInt(10) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
      }
      if (len > 4 && r.nextBoolean()) {
        b[0] = 's';
        b[1] = 'i';
        b[2] = 'p';
        b[3] = ':';
      }
      try {
        SipUri u = SipUri.parse(b, 0, len);
        u.user();
        u.host();
        u.transport();
        u.param("lr");
        u.maddr();
        u.headers();
        u.toString();
      } catch (SipParseException expected) {
        // fine
      } catch (RuntimeException e) {
        fail("unexpected " + e + " for " + new String(b, StandardCharsets.ISO_8859_1));
      }
    }
  }
}
