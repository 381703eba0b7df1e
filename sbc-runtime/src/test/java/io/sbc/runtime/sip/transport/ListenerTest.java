package io.sbc.runtime.sip.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** The text a listener writes for its address (RFC 5952 section 4, RFC 5118 section 4.1). */
class ListenerTest {
  private static String canonical(String literal) throws UnknownHostException {
    return Listener.canonicalIpv6(InetAddress.getByName(literal).getAddress());
  }

  @Test
  void ipv6IsWrittenInRfc5952Form() throws UnknownHostException {
    assertEquals("::1", canonical("::1"));
    assertEquals("::", canonical("::"));
    assertEquals("2001:db8::1", canonical("2001:0DB8:0000:0000:0000:0000:0000:0001"));
    // section 4.2.2: one zero field is not shortened
    assertEquals("2001:db8:0:1:1:1:1:1", canonical("2001:db8:0:1:1:1:1:1"));
    // section 4.2.3: the longest run, the first of equal runs
    assertEquals("2001:0:0:1::1", canonical("2001:0:0:1:0:0:0:1"));
    assertEquals("2001:db8::1:0:0:1", canonical("2001:db8:0:0:1:0:0:1"));
    assertEquals("fe80::", canonical("fe80:0:0:0:0:0:0:0"));
    assertEquals("1:2:3:4:5:6:7:8", canonical("1:2:3:4:5:6:7:8"));
  }

  @Test
  void ipv6ListenerHostIsBracketedAndCanonical() throws UnknownHostException {
    Listener l =
        new Listener(
            "v6", Protocol.TCP, new InetSocketAddress(InetAddress.getByName("::1"), 5062), null);
    assertEquals("[::1]", l.host());
    assertEquals(
        "Via: SIP/2.0/TCP [::1]:5062;branch=",
        new String(l.viaPrefix(), java.nio.charset.StandardCharsets.ISO_8859_1));
    assertEquals(
        "<sip:[::1]:5062;transport=tcp;lr>",
        new String(l.recordRoute(), java.nio.charset.StandardCharsets.ISO_8859_1));
  }
}
