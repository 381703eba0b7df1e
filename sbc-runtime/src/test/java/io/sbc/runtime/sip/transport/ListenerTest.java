package io.sbc.runtime.sip.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sbc.api.syntax.IpLiteral;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** The text a listener writes for its address (RFC 5952 section 4, RFC 5118 section 4.1). */
class ListenerTest {
  private static String canonical(String literal) throws UnknownHostException {
    return IpLiteral.canonical(InetAddress.getByName(literal).getAddress());
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
        "<sip:[::1]:5062;transport=tcp;lr",
        new String(l.names(null).recordRouteStart(), java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  @Test
  void aWildcardListenerAdvertisesTheAddressAMessageLeavesFrom() throws UnknownHostException {
    Listener l =
        new Listener(
            "any",
            Protocol.UDP,
            new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 5060),
            null);
    assertEquals(null, l.host(), "no fixed host: it depends on the interface");
    assertEquals(
        "Via: SIP/2.0/UDP 192.0.2.7:5060;rport;branch=",
        new String(
            l.names(InetAddress.getByName("192.0.2.7")).viaPrefix(),
            java.nio.charset.StandardCharsets.ISO_8859_1));
    // Never the wildcard: without a route to tell, the loopback of the family.
    assertEquals("127.0.0.1", l.names(null).host());
    Listener v6 =
        new Listener(
            "any6", Protocol.TCP, new InetSocketAddress(InetAddress.getByName("::"), 5060), null);
    assertEquals("[::1]", v6.names(InetAddress.getByName("::")).host());
    Listener advertised =
        new Listener(
            "adv",
            Protocol.UDP,
            new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 5060),
            "sbc.example.com");
    assertEquals("sbc.example.com", advertised.names(InetAddress.getByName("192.0.2.7")).host());
  }

  @Test
  void theSourceAddressTowardsLoopbackIsALoopbackAddress() throws UnknownHostException {
    InetAddress s = new SourceAddresses().sourceFor(InetAddress.getByName("127.0.0.1"));
    assertEquals(true, s != null && s.isLoopbackAddress(), "source towards 127.0.0.1: " + s);
  }
}
