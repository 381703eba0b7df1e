package io.sbc.api.syntax;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** IPv4 and IPv6 literals: what is an address, its bytes, its RFC 5952 text and URI form. */
class IpLiteralTest {

  static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  /** The 16 bytes of eight 16-bit groups. */
  static byte[] groups(int... g) {
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[2 * i] = (byte) (g[i] >>> 8);
      b[2 * i + 1] = (byte) g[i];
    }
    return b;
  }

  @Test
  void ipv4DottedQuads() {
    assertArrayEquals(bytes(192, 0, 2, 1), IpLiteral.toBytes("192.0.2.1"));
    assertArrayEquals(bytes(0, 0, 0, 0), IpLiteral.toBytes("0.0.0.0"));
    assertArrayEquals(bytes(255, 255, 255, 255), IpLiteral.toBytes("255.255.255.255"));
    assertArrayEquals(bytes(10, 100, 1, 0), IpLiteral.toBytes("10.100.1.0"));
    for (String ok : List.of("1.2.3.4", "127.0.0.1", "100.64.0.0", "9.99.199.249")) {
      assertTrue(IpLiteral.isIpv4(ok), ok);
      assertTrue(IpLiteral.isIpLiteral(ok), ok);
      assertFalse(IpLiteral.isIpv6(ok), ok);
    }
  }

  /**
   * Only four decimal octets without leading zeros: inet_aton would read "1.2.3" as 1.2.0.3,
   * "127.1" as 127.0.0.1 and "010.0.0.1" as 8.0.0.1, and a check that reads them otherwise than the
   * next hop does is a check that can be walked around.
   */
  @Test
  void ipv4EdgeCasesAreRefused() {
    for (String bad :
        List.of(
            "",
            "1.2.3",
            "127.1",
            "2130706433",
            "1.2.3.4.5",
            "01.2.3.4",
            "1.02.3.4",
            "1.2.3.04",
            "00.0.0.0",
            "010.0.0.1",
            "1.2.3.0004",
            "256.1.1.1",
            "1.2.3.256",
            "1.2.3.999",
            "1.2.3.-1",
            "+1.2.3.4",
            "1..2.3",
            ".1.2.3",
            "1.2.3.",
            "1.2.3.4.",
            " 1.2.3.4",
            "1.2.3.4 ",
            "1.2.3.4/24",
            "1.2.3.4:5060",
            "0x7f.0.0.1",
            "1,2,3,4",
            "1.2.3.4%eth0",
            "\u0661.\u0662.\u0663.\u0664", // Arabic-Indic digits: Character.isDigit says yes
            "1.2.3.4\r\n")) {
      assertFalse(IpLiteral.isIpv4(bad), bad);
      assertFalse(IpLiteral.isIpLiteral(bad), bad);
      assertNull(IpLiteral.toBytes(bad), bad);
      assertEquals(IpLiteral.NONE, IpLiteral.parse(bad, new byte[16]), bad);
    }
    assertFalse(IpLiteral.isIpv4((String) null));
  }

  @Test
  void ipv6TextFormsAndTheirCanonicalText() {
    String[][] cases = {
      {"::", "::"},
      {"::1", "::1"},
      {"1::", "1::"},
      {"0:0:0:0:0:0:0:0", "::"},
      {"0:0:0:0:0:0:0:1", "::1"},
      {"1:0:0:0:0:0:0:0", "1::"},
      {"2001:db8::1", "2001:db8::1"},
      {"2001:DB8::1", "2001:db8::1"},
      {"2001:Db8::aBcD", "2001:db8::abcd"},
      {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
      {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
      // RFC 5952 4.2.2: one zero group is not shortened.
      {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
      {"2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
      // 4.2.3: the longest run; of equal runs the first.
      {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
      {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
      {"1:0:0:2:0:0:3:4", "1::2:0:0:3:4"},
      {"fe80::1", "fe80::1"},
      {"ff02::1:ff00:1", "ff02::1:ff00:1"},
      // Dotted IPv4 in the last 32 bits (RFC 4291 2.2, form 3).
      {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
      {"::FFFF:c000:0201", "::ffff:192.0.2.1"},
      {"0:0:0:0:0:ffff:192.0.2.1", "::ffff:192.0.2.1"},
      {"64:ff9b::192.0.2.1", "64:ff9b::c000:201"},
      {"::1.2.3.4", "::102:304"},
      {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
      {"1::1.2.3.4", "1::102:304"},
      {"2001:db8::10:5070", "2001:db8::10:5070"}, // RFC 5118 4.3: eight groups, no port
    };
    for (String[] c : cases) {
      assertTrue(IpLiteral.isIpv6(c[0]), c[0]);
      assertFalse(IpLiteral.isIpv4(c[0]), c[0]);
      assertEquals(c[1], IpLiteral.canonical(c[0]), c[0]);
      assertEquals(c[1], IpLiteral.canonical("[" + c[0] + "]"), c[0]);
      assertEquals("[" + c[1] + "]", IpLiteral.uriHost(c[0]), c[0]);
      byte[] out = new byte[16];
      assertEquals(16, IpLiteral.parse(c[0], out), c[0]);
      assertArrayEquals(IpLiteral.toBytes(c[1]), out, c[0]);
    }
    assertArrayEquals(groups(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), IpLiteral.toBytes("2001:db8::1"));
    assertArrayEquals(
        groups(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1), IpLiteral.toBytes("2001:db8::1:0:0:1"));
    assertArrayEquals(
        groups(1, 2, 3, 4, 5, 6, 0x0102, 0x0304), IpLiteral.toBytes("1:2:3:4:5:6:1.2.3.4"));
    assertArrayEquals(groups(0, 0, 0, 0, 0, 0, 0, 0), IpLiteral.toBytes("::"));
  }

  @Test
  void ipv6MalformedTextIsRefused() {
    for (String bad :
        List.of(
            ":",
            ":::",
            "::::",
            "1::2::3",
            "::1::",
            "12345::",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8",
            "1::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:1.2.3.4",
            "1:2:3:4:5:6:7:8:1.2.3.4",
            ":1::",
            ":1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:",
            "1::2:",
            "1:",
            ":1",
            "g::1",
            "1:2:3:4:5:6:7:g",
            "::1.2.3",
            "::256.1.1.1",
            "::01.2.3.4",
            "::1.2.3.4:5",
            "::1.2.3.4.5",
            "1.2.3.4::",
            "1.2.3.4::1",
            "::ffff:1.2.3.4.",
            "fe80::1%eth0", // zone ids (RFC 6874) are not for URIs
            "fe80::1%25eth0",
            "fe80::1%1",
            " ::1",
            "::1 ",
            "::1\r\n",
            ":: 1",
            "[::1]", // isIpv6 is the bare form; brackets are the URI's
            "2001:db8:::192.0.2.1", // the RFC 3261 ABNF bug, strict
            "2001:db8:::1",
            "0x1::1",
            "::-1",
            "::+1")) {
      assertFalse(IpLiteral.isIpv6(bad), bad);
      assertFalse(IpLiteral.isIpLiteral(bad), bad);
      if (!bad.equals("[::1]")) {
        assertEquals(IpLiteral.NONE, IpLiteral.parse(bad, new byte[16]), bad);
        assertEquals(IpLiteral.NONE, IpLiteral.parse("[" + bad + "]", null), bad);
      }
    }
  }

  @Test
  void bracketsAreTheUriForm() {
    assertEquals(16, IpLiteral.parse("[::1]", null));
    assertEquals(16, IpLiteral.parse("[2001:DB8::1]", null));
    assertArrayEquals(groups(0, 0, 0, 0, 0, 0, 0, 1), IpLiteral.toBytes("[::1]"));
    for (String bad :
        List.of(
            "[1.2.3.4]",
            "[::1",
            "::1]",
            "[]",
            "[",
            "]",
            "[[::1]]",
            "[::1]:5060",
            "[example.com]")) {
      assertEquals(IpLiteral.NONE, IpLiteral.parse(bad, null), bad);
      assertNull(IpLiteral.toInetAddress(bad), bad);
    }
  }

  /**
   * RFC 3261's ABNF admitted "2001:db8:::192.0.2.1"; RFC 5118 section 4.5 asks parsers to be robust
   * towards it, so the lenient parse (for hosts received) reads it as 2001:db8::192.0.2.1, and only
   * in front of a dotted IPv4 part.
   */
  @Test
  void lenientParseReadsTheRfc3261ThreeColonForm() {
    byte[] out = new byte[16];
    assertEquals(16, IpLiteral.parseLenient("[2001:db8:::192.0.2.1]", out));
    assertArrayEquals(IpLiteral.toBytes("2001:db8::192.0.2.1"), out);
    assertEquals(16, IpLiteral.parseLenient(":::192.0.2.1", out));
    assertArrayEquals(IpLiteral.toBytes("::192.0.2.1"), out);
    assertEquals("[2001:db8::c000:201]", IpLiteral.uriHost("[2001:db8:::192.0.2.1]"));
    for (String bad :
        List.of("2001:db8:::1", "1:::2", ":::", "2001:db8::::192.0.2.1", "1:2:3:4:5:6:::1.2.3.4")) {
      assertEquals(IpLiteral.NONE, IpLiteral.parseLenient(bad, out), bad);
    }
    byte[] b = "x[2001:db8:::192.0.2.1]y".getBytes(StandardCharsets.US_ASCII);
    assertTrue(IpLiteral.isIpv6(b, 2, b.length - 2, true));
    assertFalse(IpLiteral.isIpv6(b, 2, b.length - 2, false));
    assertEquals(IpLiteral.NONE, IpLiteral.parse("2001:db8:::192.0.2.1", out));
  }

  @Test
  void messageBytesAreParsedInPlace() {
    byte[] b = "sip:alice@[2001:db8::7]:5060;x=192.0.2.9".getBytes(StandardCharsets.US_ASCII);
    int open = 10;
    int close = 22;
    assertTrue(IpLiteral.isIpv6(b, open + 1, close, false));
    byte[] out = new byte[16];
    assertEquals(16, IpLiteral.parse(b, open, close + 1, false, out));
    assertArrayEquals(IpLiteral.toBytes("2001:db8::7"), out);
    int v4 = b.length - 9;
    assertTrue(IpLiteral.isIpv4(b, v4, b.length));
    assertFalse(IpLiteral.isIpv4(b, v4 - 1, b.length));
    assertFalse(IpLiteral.isIpv4(b, v4, b.length - 1)); // "192.0.2."
    assertEquals(4, IpLiteral.parse(b, v4, b.length, false, out));
    assertArrayEquals(bytes(192, 0, 2, 9), java.util.Arrays.copyOf(out, 4));
    // Octets above 0x7f are not digits, whatever their value.
    byte[] high = {'1', '.', '2', '.', '3', '.', (byte) 0xB9};
    assertFalse(IpLiteral.isIpv4(high, 0, high.length));
  }

  @Test
  void inetAddressesWithoutDns() throws Exception {
    InetAddress a = IpLiteral.toInetAddress("192.0.2.1");
    assertInstanceOf(Inet4Address.class, a);
    assertArrayEquals(bytes(192, 0, 2, 1), a.getAddress());
    a = IpLiteral.toInetAddress("[::1]");
    assertInstanceOf(Inet6Address.class, a);
    assertTrue(a.isLoopbackAddress());
    assertEquals(
        InetAddress.getByAddress(groups(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
        IpLiteral.toInetAddress("2001:db8::1"));
    // As InetAddress.getByAddress makes it: an IPv4-mapped address is the IPv4 address.
    assertEquals(IpLiteral.toInetAddress("192.0.2.1"), IpLiteral.toInetAddress("::ffff:192.0.2.1"));
    // Names are not addresses and are never looked up; this one would take the resolver's time.
    for (String name : List.of("localhost", "example.invalid", "1.2.3", "", "[::1]x")) {
      assertNull(IpLiteral.toInetAddress(name), name);
    }
  }

  @Test
  void uriHostForm() throws Exception {
    assertEquals("192.0.2.1", IpLiteral.uriHost("192.0.2.1"));
    assertEquals("[2001:db8::1]", IpLiteral.uriHost("2001:DB8:0::1"));
    assertEquals("[::1]", IpLiteral.uriHost("[0:0:0:0:0:0:0:1]"));
    assertNull(IpLiteral.uriHost("example.com"));
    assertEquals(
        "[::1]", IpLiteral.uriHost(InetAddress.getByAddress(groups(0, 0, 0, 0, 0, 0, 0, 1))));
    Inet6Address scoped = Inet6Address.getByAddress(null, groups(0xfe80, 0, 0, 0, 0, 0, 0, 1), 3);
    assertEquals("[fe80::1]", IpLiteral.uriHost(scoped)); // the zone is dropped
    assertEquals("10.0.0.1", IpLiteral.uriHost(bytes(10, 0, 0, 1)));
    assertEquals("10.0.0.1", IpLiteral.canonical(bytes(10, 0, 0, 1)));
    assertThrows(IllegalArgumentException.class, () -> IpLiteral.canonical(new byte[5]));
  }

  /**
   * Every address survives canonical text and back, and the text is what RFC 5952 asks (checked
   * independently: no leading zeros, lower case, "::" for the first longest run of two or more).
   */
  @Test
  void randomAddressesRoundTrip() throws Exception {
    SplittableRandom r = new SplittableRandom(5952);
    byte[] out = new byte[16];
    for (int n = 0; n < 20_000; n++) {
      int[] g = new int[8];
      for (int i = 0; i < 8; i++) {
        int k = r.nextInt(4);
        g[i] = k < 2 ? 0 : k == 2 ? r.nextInt(16) : r.nextInt(65536);
      }
      byte[] a = groups(g);
      String text = IpLiteral.canonical(a);
      assertEquals(16, IpLiteral.parse(text, out), text);
      assertArrayEquals(a, out, text);
      if (!IpLiteral.isIpv4Mapped(a)) {
        assertEquals(rfc5952(g), text);
      }
      // Java's full form (0:0:0:0:0:0:0:1) reads back to the same address.
      InetAddress ia = InetAddress.getByAddress(a);
      if (ia instanceof Inet6Address) {
        String full = ia.getHostAddress();
        assertEquals(text, IpLiteral.canonical(full), full);
        assertEquals(text, IpLiteral.canonical(full.toUpperCase()), full);
      }
    }
  }

  /** A plain reading of RFC 5952 section 4, written apart from the code under test. */
  static String rfc5952(int[] g) {
    int best = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; i++) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i >= 2 && j - i > bestLen) {
        best = i;
        bestLen = j - i;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == best) {
        sb.append(i == 0 ? "::" : ":");
        i += bestLen - 1;
        continue;
      }
      sb.append(Integer.toHexString(g[i]));
      if (i < 7) {
        sb.append(':');
      }
    }
    return sb.toString();
  }

  /** The runtime parses hosts per message: the byte-range parse and the checks allocate nothing. */
  @Test
  void parsingAllocatesNothing() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    assumeTrue(mx instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) mx;
    assumeTrue(bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled());
    byte[] v6 = "[2001:db8:0:0:1:0:0:1]".getBytes(StandardCharsets.US_ASCII);
    byte[] v4 = "192.0.2.200".getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[16];
    String s = "2001:db8::ffff:192.0.2.1";
    int sum = 0;
    for (int i = 0; i < 20_000; i++) { // warm up: compiled code, no interpreter frames counted
      sum +=
          IpLiteral.parse(v6, 0, v6.length, false, out)
              + IpLiteral.parse(v4, 0, v4.length, false, out);
      sum += IpLiteral.parse(s, out) + (IpLiteral.isIpv6(v6, 1, v6.length - 1, true) ? 1 : 0);
      sum += HostName.isValid(v4, 0, v4.length, true) ? 1 : 0;
    }
    long tid = Thread.currentThread().getId();
    long before = bean.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100_000; i++) {
      sum +=
          IpLiteral.parse(v6, 0, v6.length, false, out)
              + IpLiteral.parse(v4, 0, v4.length, false, out);
      sum += IpLiteral.parse(s, out) + (IpLiteral.isIpv6(v6, 1, v6.length - 1, true) ? 1 : 0);
      sum += HostName.isValid(v4, 0, v4.length, true) ? 1 : 0;
    }
    long allocated = bean.getThreadAllocatedBytes(tid) - before;
    assertTrue(sum > 0);
    // 400,000 parses; anything allocated per parse would be megabytes.
    assertTrue(allocated < 64 * 1024, allocated + " bytes allocated");
  }
}
