package io.sbc.runtime.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NameAddrTest {

  static NameAddr na(String value) throws SipParseException {
    byte[] b = ("To: " + value + "\r\n").getBytes(StandardCharsets.UTF_8);
    return NameAddr.parse(b, 3, b.length - 2, "To");
  }

  static String error(String value) {
    return assertThrows(SipParseException.class, () -> na(value), value).getMessage();
  }

  static String text(NameAddr a, int s, int e) {
    return new String(a.buffer(), s, e - s, StandardCharsets.UTF_8);
  }

  /** The first value of header {@code names} in a torture file. */
  static NameAddr torture(String file, String... names) throws Exception {
    byte[] msg = ViaTest.torture(file);
    int[] r = ViaTest.headerValues(msg, names).get(0);
    return NameAddr.parse(msg, r[0], r[1], names[0]);
  }

  static String tortureError(String file, String... names) throws Exception {
    byte[] msg = ViaTest.torture(file);
    int[] r = ViaTest.headerValues(msg, names).get(0);
    return assertThrows(
            SipParseException.class, () -> NameAddr.parse(msg, r[0], r[1], names[0]), file)
        .getMessage();
  }

  @Test
  void nameAddrWithQuotedDisplayName() throws Exception {
    NameAddr a = na(" \"Alice Smith\" <sip:alice@example.com;transport=tcp>;tag=abc;x=\"1;2\" ");
    assertEquals("Alice Smith", a.displayName());
    assertEquals("\"Alice Smith\"", text(a, a.displayNameStart(), a.displayNameEnd()));
    assertTrue(a.hasAngleBrackets());
    assertEquals("sip:alice@example.com;transport=tcp", text(a, a.uriStart(), a.uriEnd()));
    assertEquals("alice", a.uri().user());
    assertEquals("tcp", a.uri().transport());
    assertEquals("abc", a.tag());
    assertEquals("\"1;2\"", a.param("X"));
    assertNull(a.param("y"));
    assertEquals(";tag=abc;x=\"1;2\"", text(a, a.paramsStart(), a.paramsEnd()));
    assertEquals(5, a.start());
    assertEquals(
        "\"Alice Smith\" <sip:alice@example.com;transport=tcp>;tag=abc;x=\"1;2\"", a.toString());
    assertFalse(a.isStar());
  }

  @Test
  void addrSpecParamsBelongToTheHeader() throws Exception {
    NameAddr a = na("sip:watson@example.com;tag=DkfVgjkrtMwaerKKpe");
    assertFalse(a.hasAngleBrackets());
    assertNull(a.displayName());
    assertEquals("sip:watson@example.com", a.uri().toString());
    assertEquals("DkfVgjkrtMwaerKKpe", a.tag());
    assertFalse(a.uri().hasParam("tag"));
  }

  @Test
  void cparam01AndCparam02() throws Exception {
    NameAddr a = torture("rfc4475/cparam01.dat", "Contact", "m");
    assertEquals("", a.param("unknownparam"));
    assertFalse(a.uri().hasParam("unknownparam"));
    NameAddr b = torture("rfc4475/cparam02.dat", "Contact", "m");
    assertNull(b.param("unknownparam"));
    assertTrue(b.uri().hasParam("unknownparam"));
    assertEquals("+19725552222", b.uri().user());
  }

  @Test
  void wsinvFromToAndContact() throws Exception {
    NameAddr to = torture("rfc4475/wsinv.dat", "To", "t");
    assertEquals("sip:vivekg@chair-dnrc.example.com", to.uri().toString());
    assertEquals("1918181833n", to.tag());
    NameAddr from = torture("rfc4475/wsinv.dat", "From", "f");
    assertEquals("J Rosenberg \\\"", from.displayName());
    assertEquals("98asjd8", from.tag());
    assertEquals("jdrosen", from.uri().user());
    NameAddr m = torture("rfc4475/wsinv.dat", "Contact", "m");
    assertEquals("Quoted string \"\"", m.displayName());
    assertEquals("newvalue", m.param("newparam"));
    assertEquals("", m.param("secondparam"));
    assertEquals("0.33", m.param("q"));
    NameAddr r = torture("rfc4475/wsinv.dat", "Route");
    assertTrue(r.uri().lr());
    assertEquals("value", r.uri().param("unknownwith"));
  }

  @Test
  void lwsdispNoSpaceBeforeAngle() throws Exception {
    NameAddr a = torture("rfc4475/lwsdisp.dat", "From", "f");
    assertEquals("caller", a.displayName());
    assertEquals("323", a.tag());
    assertEquals("sip:caller@example.com", a.uri().toString());
  }

  @Test
  void tokenDisplayNames() throws Exception {
    NameAddr a = na("Alice  Smith <sip:a@b>");
    assertEquals("Alice  Smith", a.displayName());
    a = na("token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;tag=_token~1'+`*%!-.");
    assertEquals("token1~` token2'+_ token3*%!.-", a.displayName());
    assertEquals("_token~1'+`*%!-.", a.tag());
    a = na("<sip:a@b>");
    assertNull(a.displayName());
    assertEquals(-1, a.displayNameStart());
  }

  @Test
  void intmethHeaders() throws Exception {
    NameAddr to = torture("rfc4475/intmeth.dat", "To", "t");
    assertEquals("BEL:\u0007 NUL:\u0000 DEL:\u007f", to.displayName());
    assertEquals("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", to.uri().user());
    NameAddr from = torture("rfc4475/intmeth.dat", "From", "f");
    assertEquals("token1~` token2'+_ token3*%!.-", from.displayName());
    assertEquals("\"работающий\"", from.param("fromParam''~+*_!.-%"));
    assertEquals("_token~1'+`*%!-.", from.tag());
  }

  @Test
  void esc01AndEscnull() throws Exception {
    NameAddr to = torture("rfc4475/esc01.dat", "To", "t");
    assertEquals("%75se%72", to.uri().user());
    NameAddr c = torture("rfc4475/esc01.dat", "Contact", "m");
    assertEquals("cal%6Cer", c.uri().user());
    NameAddr n = torture("rfc4475/escnull.dat", "From", "f");
    assertEquals("null-%00-null", n.uri().user());
    assertEquals("839923423", n.tag());
  }

  @Test
  void esc02PercentInQuotedDisplayName() throws Exception {
    NameAddr a = torture("rfc4475/esc02.dat", "From", "f");
    assertEquals("%Z%45", a.displayName());
    assertEquals("f232jadfj23", a.tag());
  }

  @Test
  void unksm2UnknownSchemesAreNotErrors() throws Exception {
    NameAddr to = torture("rfc4475/unksm2.dat", "To", "t");
    assertEquals(SipUri.Scheme.OTHER, to.uri().scheme());
    assertEquals("isbn:2983792873", to.uri().toString());
    NameAddr from = torture("rfc4475/unksm2.dat", "From", "f");
    assertEquals(SipUri.Scheme.OTHER, from.uri().scheme());
    assertEquals("http://www.example.com", from.uri().toString());
    assertEquals("3234233", from.tag());
    NameAddr c = torture("rfc4475/unksm2.dat", "Contact", "m");
    assertEquals("name:John_Smith", c.uri().toString());
  }

  @Test
  void quotbalUnterminatedQuote() throws Exception {
    assertEquals("To: unterminated quoted string", tortureError("rfc4475/quotbal.dat", "To", "t"));
    assertEquals("To: unterminated quoted string", error("\"abc\\\" <sip:a@b>"));
  }

  @Test
  void baddnNonTokenDisplayName() throws Exception {
    assertEquals(
        "From: display name has non-token characters",
        tortureError("rfc4475/baddn.dat", "From", "f"));
    assertEquals(
        "To: display name has non-token characters", tortureError("rfc4475/baddn.dat", "To", "t"));
    assertEquals("To: display name has non-token characters", error("Mr. J. User (x) <sip:a@b>"));
  }

  @Test
  void badaspecSpacesInsideAngleBrackets() throws Exception {
    assertEquals("To: whitespace inside URI", tortureError("rfc4475/badaspec.dat", "To", "t"));
    NameAddr from = torture("rfc4475/badaspec.dat", "From", "f");
    assertEquals("Bell, Alexander", from.displayName());
    assertEquals("433423", from.tag());
  }

  @Test
  void addrSpecWithSpaces() {
    assertEquals("To: whitespace inside addr-spec", error("sip:user@exa mple.com"));
    assertEquals("To: whitespace inside addr-spec", error("sip:user@example.com x"));
  }

  @Test
  void regbadctHeadersInAddrSpecAreReported() throws Exception {
    NameAddr c = torture("rfc4475/regbadct.dat", "Contact", "m");
    assertFalse(c.hasAngleBrackets());
    assertTrue(c.uri().hasHeaders());
    NameAddr ok = torture("rfc4475/regescrt.dat", "Contact", "m");
    assertTrue(ok.hasAngleBrackets());
    assertEquals("Route=%3Csip:sip.example.com%3E", ok.uri().headers());
  }

  @Test
  void ipv6Uris() throws Exception {
    NameAddr c = torture("rfc5118/ipv6-good.dat", "Contact", "m");
    assertEquals("Caller", c.displayName());
    assertEquals("[2001:db8::1]", c.uri().host());
    NameAddr to = torture("rfc5118/ipv6-bug-abnf-3-colons.dat", "To", "t");
    assertEquals("[2001:db8:::192.0.2.1]", to.uri().host());
    to = torture("rfc5118/ipv6-correct-abnf-2-colons.dat", "To", "t");
    assertEquals("[2001:db8::192.0.2.1]", to.uri().host());
    c = torture("rfc5118/ipv4-mapped-ipv6.dat", "Contact", "m");
    assertEquals("T. desk phone", c.displayName());
    assertEquals("[::ffff:192.0.2.2]", c.uri().host());
    to = torture("rfc5118/mult-ip-in-header.dat", "To", "t");
    assertEquals("9817--94", to.tag());
  }

  @Test
  void star() throws Exception {
    NameAddr a = na(" * ");
    assertTrue(a.isStar());
    assertNull(a.uri());
    assertNull(a.tag());
    assertEquals(-1, a.uriStart());
  }

  @Test
  void telAndSipsUris() throws Exception {
    NameAddr a = na("<tel:+1-201-555-0123;phone-context=example.com>;tag=9");
    assertEquals(SipUri.Scheme.TEL, a.uri().scheme());
    assertEquals("example.com", a.uri().param("phone-context"));
    NameAddr b = na("tel:+1234;tag=x");
    assertEquals("tel:+1234", b.uri().toString());
    assertEquals("x", b.tag());
    assertEquals(SipUri.Scheme.SIPS, na("<sips:bob@example.com>").uri().scheme());
  }

  @Test
  void errors() {
    assertEquals("To: empty value", error("   "));
    assertEquals("To: missing URI", error("Alice"));
    assertEquals("To: unterminated '<'", error("Alice <sip:a@b"));
    assertEquals("To: '<' expected after display name", error("\"Alice\" sip:a@b"));
    assertEquals("To: '<' expected after display name", error("\"Alice\""));
    assertEquals("To: quote inside unquoted display name", error("Al\"ice\" <sip:a@b>"));
    assertEquals("To: unexpected text after address", error("<sip:a@b> x"));
    assertEquals("To: unexpected text after address", error("<sip:a@b>>"));
    assertEquals("To: empty parameter name", error("<sip:a@b>;"));
    assertEquals("To: empty parameter name", error("<sip:a@b>;;tag=1"));
    assertEquals("To: empty parameter value", error("<sip:a@b>;tag="));
    assertEquals("To: unterminated quoted string", error("<sip:a@b>;x=\"abc"));
    assertEquals("To: empty host", error("<sip:a@>"));
    assertEquals("To: empty URI", error("<>"));
    assertEquals("To: missing URI scheme", error("<user@host>"));
    assertEquals("To: '<' or '>' inside URI", error("<sip:a@<b>"));
    assertEquals("To: IPv6 address without brackets", error("<sip:2001:db8::1:5060>"));
    assertEquals(
        "Address: missing URI",
        assertThrows(
                SipParseException.class,
                () -> {
                  byte[] b = "x".getBytes(StandardCharsets.US_ASCII);
                  NameAddr.parse(b, 0, 1);
                })
            .getMessage());
  }

  @Test
  void splitValuesHonoursQuotesAndAngles() throws Exception {
    String s =
        " \"Bell, Alexander\" <sip:a@b;x=1,2>;tag=1 , <sip:c@d?h=a,b>,sip:e@f;q=0.5,"
            + "\"q\\\",uote\" <sip:g@h> ";
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    int[] out = new int[16];
    int n = NameAddr.splitValues(b, 0, b.length, out);
    assertEquals(4, n);
    assertEquals(
        "\"Bell, Alexander\" <sip:a@b;x=1,2>;tag=1", new String(b, out[0], out[1] - out[0]));
    assertEquals("<sip:c@d?h=a,b>", new String(b, out[2], out[3] - out[2]));
    assertEquals("sip:e@f;q=0.5", new String(b, out[4], out[5] - out[4]));
    assertEquals("\"q\\\",uote\" <sip:g@h>", new String(b, out[6], out[7] - out[6]));
  }

  @Test
  void splitValuesReportsTotalWhenArrayIsSmall() throws Exception {
    byte[] b = "<sip:a@b>,<sip:c@d>,<sip:e@f>".getBytes(StandardCharsets.US_ASCII);
    int[] out = new int[2];
    assertEquals(3, NameAddr.splitValues(b, 0, b.length, out));
    assertEquals("<sip:a@b>", new String(b, out[0], out[1] - out[0]));
    assertEquals(1, NameAddr.splitValues(b, 0, 9, new int[0]));
  }

  @Test
  void splitValuesErrors() {
    assertEquals("unterminated quoted string", splitError("\"abc, <sip:a@b>"));
    assertEquals("unterminated '<'", splitError("<sip:a@b, <sip:c@d"));
    assertEquals("empty value in list", splitError("<sip:a@b>,,<sip:c@d>"));
    assertEquals("empty value in list", splitError("<sip:a@b>, "));
    assertEquals("empty value in list", splitError("  "));
  }

  static String splitError(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    return assertThrows(
            SipParseException.class, () -> NameAddr.splitValues(b, 0, b.length, new int[8]))
        .getMessage();
  }

  @Test
  void parseAllContacts() throws Exception {
    byte[] b =
        "\"A\" <sip:a@h1>;expires=60, <sip:b@h2>;q=0.1,sip:c@h3"
            .getBytes(StandardCharsets.US_ASCII);
    List<NameAddr> out = new ArrayList<>();
    assertEquals(3, NameAddr.parseAll(b, 0, b.length, out, "Contact"));
    assertEquals("60", out.get(0).param("expires"));
    assertEquals("0.1", out.get(1).param("q"));
    assertEquals("c", out.get(2).uri().user());
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      many.append(i == 0 ? "" : ",").append("<sip:u").append(i).append("@h>");
    }
    byte[] m = many.toString().getBytes(StandardCharsets.US_ASCII);
    out.clear();
    assertEquals(40, NameAddr.parseAll(m, 0, m.length, out, "Contact"));
    assertEquals("u39", out.get(39).uri().user());
  }

  @Test
  void randomGarbageOnlyThrowsSipParseException() {
    Random r = new Random(3);
    byte[] alphabet = "\"\\<>sip:a@[::1];tag=,* \t\r\nxq%".getBytes(StandardCharsets.ISO_8859_1);
    int[] ranges = new int[16];
    for (int n = 0; n < 200_000; n++) {
      int len = r.nextInt(32);
      byte[] b = new byte[len];
      for (int i = 0; i < len; i++) {
        b[i] = r.nextInt(20) == 0 ? (byte) r.nextInt(256) : alphabet[r.nextInt(alphabet.length)];
      }
      try {
        NameAddr a = NameAddr.parse(b, 0, len);
        a.displayName();
        a.tag();
        a.param("x");
        a.toString();
        if (a.uri() != null) {
          a.uri().host();
        }
      } catch (SipParseException expected) {
        // fine
      } catch (RuntimeException e) {
        fail("unexpected " + e + " for " + new String(b, StandardCharsets.ISO_8859_1));
      }
      try {
        NameAddr.splitValues(b, 0, len, ranges);
      } catch (SipParseException expected) {
        // fine
      } catch (RuntimeException e) {
        fail("unexpected " + e + " for " + new String(b, StandardCharsets.ISO_8859_1));
      }
    }
  }
}
