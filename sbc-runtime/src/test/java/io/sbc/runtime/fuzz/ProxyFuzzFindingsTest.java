package io.sbc.runtime.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.sip.message.SipMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proxy bugs the fuzz targets found (all fixed in sip/proxy), replayed as plain tests on the same
 * harness so that they stay fixed (docs/fuzzing.md, "Findings").
 */
class ProxyFuzzFindingsTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A final response from downstream that carries the proxy's Via and no other. */
  private static byte[] finalWithOnlyOurVia(
      int status, String reason, String branch, String method) {
    return bytes(
        "SIP/2.0 "
            + status
            + " "
            + reason
            + "\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch="
            + branch
            + "\r\n"
            + "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
            + "To: <sip:bob@example.com>;tag=b1\r\n"
            + "Call-ID: call-3@10.0.0.1\r\n"
            + "CSeq: 1 "
            + method
            + "\r\n"
            + "Content-Length: 0\r\n\r\n");
  }

  /** The statuses the caller received, in order. */
  private static List<Integer> statusesToCaller(ProxyHarness h) {
    List<Integer> r = new ArrayList<>();
    for (ProxyHarness.Sent s : h.sent) {
      if (s.to().equals(h.caller)) {
        SipMessage m = MessageChecks.DECODER.decode(s.data(), s.data().length, false);
        if (m != null && m.error() == null && m.isResponse()) {
          r.add(m.status());
        }
      }
    }
    return r;
  }

  /**
   * Found by ProxyResponseFuzzTest (crash-9e6fdb71...): the callee's 486 lost the caller's Via, so
   * only the proxy's is left. Section 16.7 step 3 forbids forwarding it, and the response context
   * then sends nothing at all: the caller never gets a final response and the INVITE server
   * transaction, which has no timer of its own before a final is sent, is never removed. A
   * downstream element (or anyone who can spoof its address) leaks one transaction per call.
   */
  @Test
  void aFinalResponseWithOnlyTheProxysViaStillEndsTheCallersTransaction() {
    ProxyHarness h = new ProxyHarness(false);
    h.route(ProxyScript.parse(new byte[0], ProxyScript.From.CALLER));
    h.deliver(h.udp, h.caller, ProxyResponseFuzzTest.setupRequest("INVITE"));
    h.deliver(
        h.udp, h.addrA, finalWithOnlyOurVia(486, "Busy Here", h.lastBranchTo(h.addrA), "INVITE"));
    h.assertDrained();
    List<Integer> up = statusesToCaller(h);
    assertTrue(up.stream().anyMatch(s -> s >= 200), "the caller gets a final response: " + up);
  }

  /**
   * Found reading the code around the previous finding: the same with a 503, which section 16.7
   * step 6 turns into a 500. ResponseContext.forward reads the second Via without checking there is
   * one and throws IndexOutOfBoundsException (Proxy.receive logs it); the server transaction leaks
   * as above.
   */
  @Test
  void a503WithOnlyTheProxysViaNeitherThrowsNorLeaks() {
    ProxyHarness h = new ProxyHarness(false);
    h.route(ProxyScript.parse(bytes("@0 norr\r\n"), ProxyScript.From.CALLER));
    h.deliver(h.udp, h.caller, ProxyResponseFuzzTest.setupRequest("MESSAGE"));
    // The only target is B after A: answer A's branch; the 503 fails over to B, B's 503 ends it.
    h.deliver(
        h.udp,
        h.addrA,
        finalWithOnlyOurVia(503, "Service Unavailable", h.lastBranchTo(h.addrA), "MESSAGE"));
    h.deliver(
        h.udp,
        h.addrB,
        finalWithOnlyOurVia(503, "Service Unavailable", h.lastBranchTo(h.addrB), "MESSAGE"));
    h.assertDrained();
    for (ProxyHarness.Sent s : h.sent)
      System.err.println(
          "DBG to " + s.to() + "\n" + new String(s.data(), StandardCharsets.ISO_8859_1));
    assertFalse(statusesToCaller(h).isEmpty(), "the caller gets an answer");
  }

  /**
   * Found reviewing what the request target checks (every message the proxy sends must decode; a
   * 300,000-input run had not produced it): a UDP request may leave out Content-Length (RFC 3261
   * section 18.3: the datagram's end ends the body), but forwarded over TCP it must carry one
   * (section 20.14: "MUST be used" on stream transports). The proxy forwards the bytes as they
   * came, so the next hop cannot frame the message: it waits for more, then drops the connection.
   */
  @Test
  void aRequestForwardedOverTcpCarriesContentLength() {
    ProxyHarness h = new ProxyHarness(false);
    h.route(ProxyScript.parse(bytes("@0 fork btcp\r\n"), ProxyScript.From.CALLER));
    h.deliver(
        h.udp,
        h.caller,
        bytes(
            "MESSAGE sip:bob@example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKm1;rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@example.com>;tag=a1\r\n"
                + "To: <sip:bob@example.com>\r\n"
                + "Call-ID: m1@10.0.0.1\r\n"
                + "CSeq: 1 MESSAGE\r\n"
                + "Content-Type: text/plain\r\n"
                + "\r\n"
                + "hello"));
    ProxyHarness.Sent overTcp = null;
    for (ProxyHarness.Sent s : h.sent) {
      if (s.to().equals(h.addrB)) {
        overTcp = s;
      }
    }
    assertTrue(overTcp != null && overTcp.flow().reliable(), "forked to B over TCP");
    SipMessage m = MessageChecks.DECODER.decode(overTcp.data(), overTcp.data().length, true);
    assertNull(m.error(), () -> "framed on a stream: " + m.error().getMessage());
    assertEquals(5, m.bodyLength());
  }

  /** The requests the proxy sent to {@code to}, decoded as they would be there. */
  private static List<SipMessage> sentTo(ProxyHarness h, java.net.InetSocketAddress to) {
    List<SipMessage> r = new ArrayList<>();
    for (ProxyHarness.Sent s : h.sent) {
      if (s.to().equals(to)) {
        r.add(MessageChecks.DECODER.decode(s.data(), s.data().length, s.flow().reliable()));
      }
    }
    return r;
  }

  /**
   * Found by ProxyRequestFuzzTest (crash-47be1af2...): the Request-URI names this proxy with lr, so
   * section 16.4 takes the last Route value for the real Request-URI, here {@code
   * <syp:10.0.0.2:5060>}. It is copied whatever its scheme, and the INVITE goes out with a
   * Request-URI the proxy itself answers with 416 (RFC 3261 8.2.2.1) when it receives one.
   */
  @Test
  void aRouteValueOfAnotherSchemeIsNotForwardedAsTheRequestUri() {
    ProxyHarness h = new ProxyHarness(false);
    h.route(ProxyScript.parse(new byte[0], ProxyScript.From.CALLER));
    h.deliver(
        h.udp,
        h.caller,
        bytes(
            "INVITE sip:127.0.0.1:5060;lr SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKs1;rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "Route: <syp:10.0.0.2:5060>\r\n"
                + "From: <sip:alice@example.com>;tag=a1\r\n"
                + "To: <sip:bob@example.com>\r\n"
                + "Call-ID: s1@10.0.0.1\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Content-Length: 0\r\n\r\n"));
    for (SipMessage m : sentTo(h, h.addrA)) {
      assertNull(m.error(), () -> "the forwarded request decodes: " + m.error().getMessage());
    }
    h.assertDrained();
  }

  /**
   * Found by ProxyRequestFuzzTest (crash-d13ca59e...): an in-dialog request came through the
   * proxy's Route value; the next one, {@code <sip:10.0.0.2:5060?transport=tcp;lr>} here, has no lr
   * parameter (it is inside the URI headers), so section 16.6 step 6 makes its URI the Request-URI,
   * headers included. Headers are not allowed in a Request-URI (RFC 3261 19.1.1, table 1; a UAC
   * strips them, 12.2.1.1): the next hop cannot parse the request.
   */
  @Test
  void aStrictNextHopsUriLosesItsHeadersInTheRequestUri() {
    ProxyHarness h = new ProxyHarness(false);
    h.route(ProxyScript.parse(new byte[0], ProxyScript.From.CALLER));
    h.deliver(
        h.udp,
        h.caller,
        bytes(
            "INFO sip:bob@10.0.0.2 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKi1;rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "Route: <sip:127.0.0.1:5060;lr>, <sip:10.0.0.2:5060?transport=tcp;lr>\r\n"
                + "From: <sip:alice@example.com>;tag=a1\r\n"
                + "To: <sip:bob@example.com>;tag=b1\r\n"
                + "Call-ID: i1@10.0.0.1\r\n"
                + "CSeq: 2 INFO\r\n"
                + "Content-Length: 0\r\n\r\n"));
    List<SipMessage> out = sentTo(h, h.addrA);
    assertFalse(out.isEmpty(), "forwarded to the next hop");
    for (SipMessage m : out) {
      assertNull(m.error(), () -> "the forwarded request decodes: " + m.error().getMessage());
    }
    h.assertDrained();
  }
}
