package io.sbc.api.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 3261 hostname with RFC 1123 lengths. */
class HostNameTest {
  static final String L63 = "a".repeat(62) + "b";

  static boolean onTheWire(String s, boolean underscore) {
    byte[] b = ("<" + s + ">").getBytes(StandardCharsets.ISO_8859_1);
    return HostName.isValid(b, 1, b.length - 1, underscore);
  }

  @Test
  void names() {
    for (String ok :
        List.of(
            "a",
            "host",
            "example.com",
            "EXAMPLE.com",
            "example.com.",
            "sbc-1.voice.example",
            "1a.example.com",
            "123.example.com",
            "a.b2",
            "xn--bcher-kva.example",
            "a--b.example",
            L63 + ".example",
            "x." + L63,
            // 253 characters, the most, with and without the final dot
            (L63 + ".").repeat(3) + "a".repeat(61),
            (L63 + ".").repeat(3) + "a".repeat(61) + ".")) {
      assertTrue(HostName.isValid(ok), ok);
      assertTrue(onTheWire(ok, false), ok);
      assertTrue(onTheWire(ok, true), ok);
    }
  }

  @Test
  void notNames() {
    for (String bad :
        List.of(
            "",
            ".",
            "..",
            ".example.com",
            "example..com",
            "example.com..",
            "-a.example.com",
            "a-.example.com",
            "a.-b",
            "a.b-",
            "a" + L63 + ".example", // a label of 64
            (L63 + ".").repeat(3) + "a".repeat(62), // 254 characters
            "1.2.3.4", // an IPv4 address is no name ...
            "1.2.3", // ... and a malformed one neither (toplabel starts with a letter)
            "256.1.1.1",
            "example.123",
            "a.1b",
            "ex ample.com",
            "exa$mple.com",
            "example.com:5060",
            "user@example.com",
            "[::1]",
            "::1",
            "ex\u00e4mple.com",
            "example.com\r\nX: y",
            "example.com\u0000")) {
      assertFalse(HostName.isValid(bad), bad);
      assertFalse(onTheWire(bad, true), bad);
    }
    assertFalse(HostName.isValid((String) null));
  }

  /** Hosts compare case-insensitively, IP literals by value in any text form. */
  @Test
  void keys() {
    assertEquals("sbc.example.com", HostName.key("SBC.Example.com"));
    assertEquals("[::1]", HostName.key("[0:0:0:0:0:0:0:1]"));
    assertEquals("[::1]", HostName.key("::1"));
    assertEquals(HostName.key("[2001:DB8::1]"), HostName.key("2001:db8:0:0::1"));
    assertEquals("192.0.2.1", HostName.key("192.0.2.1"));
    assertEquals("[2001:db8::c000:201]", HostName.key("[2001:db8:::192.0.2.1]"));
    assertEquals("010.0.0.1", HostName.key("010.0.0.1")); // not an address: compared as text
  }

  /** '_' is not RFC 3261's, but deployed names carry it: tolerated on the wire only. */
  @Test
  void underscoreOnTheWireOnly() {
    assertFalse(HostName.isValid("_sip._udp.example.com"));
    assertFalse(onTheWire("_sip._udp.example.com", false));
    assertTrue(onTheWire("_sip._udp.example.com", true));
    assertTrue(onTheWire("my_host.example.com", true));
    assertFalse(onTheWire("example._com", true)); // the top label still starts with a letter
  }
}
