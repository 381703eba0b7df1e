package io.sbc.runtime.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.seal.RouteSeal;
import io.sbc.runtime.seal.SealKeys;
import io.sbc.runtime.sip.locate.UriTarget;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.message.Via;
import io.sbc.runtime.sip.timer.ManualClock;
import io.sbc.runtime.sip.transaction.MessageSender;
import io.sbc.runtime.sip.transaction.TimerSettings;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Myself;
import io.sbc.runtime.sip.transport.Protocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The proxy core (RFC 3261 section 16) fed with bytes, its decisions read from what it sends. */
class ProxyTest {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);
  static final String SDP =
      "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
          + "m=audio 4000 RTP/AVP 0\r\n";

  final ManualClock clock = new ManualClock(0);
  final Loop loop = new Loop(0, null, null, clock);
  final List<Sent> sent = new ArrayList<>();
  final MessageSender sender = (l, flow, data, onFailure) -> sent.add(new Sent(l, flow, data));
  final TransactionLayer tl =
      new TransactionLayer(sender, new TimerSettings(500, 4000, 5000, 180000));
  final Listener udp =
      new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
  final Listener tcp =
      new Listener("tcp", Protocol.TCP, new InetSocketAddress("127.0.0.1", 5060), null);
  final List<Listener> listeners = List.of(udp, tcp);

  /** The caller's real address (its Via says 10.0.0.1:5060: received and rport are added). */
  final InetSocketAddress caller = new InetSocketAddress("192.0.2.1", 5062);

  final InetSocketAddress addrA = new InetSocketAddress("10.0.0.2", 5060);
  final InetSocketAddress addrB = new InetSocketAddress("10.0.0.3", 5060);
  final Target targetA = Target.parse("sip:10.0.0.2:5060", null);
  final Target targetB = Target.parse("sip:10.0.0.3:5060", null);
  RouteAction action = RouteAction.forward(List.of(targetA, targetB), false, true);
  int routed;
  final Router router =
      (m, f) -> {
        routed++;
        return action;
      };
  final RouteSeal seal =
      new RouteSeal(
          SealKeys.of(List.of("a test secret of enough bytes".getBytes(StandardCharsets.UTF_8))));
  Proxy proxy = newProxy(false);

  record Sent(Loop loop, Flow flow, byte[] data) {
    SipMessage decode() {
      SipMessage m = DECODER.decode(data, data.length, false);
      assertNull(m.error(), () -> "sent message must parse: " + m.error() + "\n" + m);
      return m;
    }

    InetSocketAddress to() {
      return flow.remote();
    }
  }

  Proxy newProxy(boolean stateless) {
    return Proxy.builder()
        .decoder(new SipMessageDecoder(SipLimits.DEFAULT))
        .transactions(tl)
        .settings(new ProxySettings(stateless, 70))
        .myself(new Myself(listeners, Set.of(), Set.of()))
        .router(router)
        .routeSeal(seal)
        .clock(clock)
        .build();
  }

  // --- plumbing --------------------------------------------------------------------------

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static SipMessage parse(byte[] b) {
    SipMessage m = DECODER.decode(b, b.length, false);
    assertNull(m.error());
    return m;
  }

  void fromCaller(String msg) {
    proxy.receive(loop, new Flow(udp, caller, null), bytes(msg));
  }

  void deliver(Listener l, InetSocketAddress from, byte[] data) {
    proxy.receive(loop, new Flow(l, from, null), data);
  }

  /** A downstream element answers a request it received from the proxy. */
  void answer(InetSocketAddress from, SipMessage req, int status, String toTag) {
    byte[] resp = Responses.build(req, status, Responses.reason(status), toTag, null);
    deliver(udp, from, resp);
  }

  List<SipMessage> to(InetSocketAddress addr) {
    List<SipMessage> r = new ArrayList<>();
    for (Sent s : sent) {
      if (s.to().equals(addr)) {
        r.add(s.decode());
      }
    }
    return r;
  }

  SipMessage last(InetSocketAddress addr) {
    List<SipMessage> r = to(addr);
    assertFalse(r.isEmpty(), "nothing sent to " + addr);
    return r.get(r.size() - 1);
  }

  List<SipMessage> requestsTo(InetSocketAddress addr, String method) {
    List<SipMessage> r = new ArrayList<>();
    for (SipMessage m : to(addr)) {
      if (m.isRequest() && m.method().equals(method)) {
        r.add(m);
      }
    }
    return r;
  }

  List<Integer> statusesTo(InetSocketAddress addr) {
    List<Integer> r = new ArrayList<>();
    for (SipMessage m : to(addr)) {
      if (m.isResponse()) {
        r.add(m.status());
      }
    }
    return r;
  }

  void runUntil(long until) {
    while (clock.millis() < until) {
      clock.advance(Math.min(10, until - clock.millis()));
      loop.timers().advance();
    }
  }

  /** Lets every transaction run out its timers; the tables must then be empty. */
  void assertAllTransactionsEnd() {
    runUntil(clock.millis() + 250_000);
    assertEquals(0, tl.serverCount(), "server transactions left");
    assertEquals(0, tl.clientCount(), "client transactions left");
  }

  static String invite(String branch, String extra) {
    return "INVITE sip:bob@example.com SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch="
        + branch
        + ";rport\r\n"
        + extra
        + "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
        + "To: <sip:bob@example.com>\r\n"
        + "Call-ID: call-3@10.0.0.1\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:alice@10.0.0.1:5060>\r\n"
        + "Content-Type: application/sdp\r\n"
        + "Content-Length: "
        + SDP.length()
        + "\r\n\r\n"
        + SDP;
  }

  static String invite() {
    return invite("z9hG4bKcaller1", "Max-Forwards: 70\r\n");
  }

  static String request(String method, String uri, String branch, String toTag, String extra) {
    return method
        + " "
        + uri
        + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch="
        + branch
        + "\r\n"
        + extra
        + "From: <sip:alice@example.com>;tag=a1\r\n"
        + "To: <sip:bob@example.com>"
        + (toTag == null ? "" : ";tag=" + toTag)
        + "\r\n"
        + "Call-ID: call-3@10.0.0.1\r\n"
        + "CSeq: "
        + (method.equals("ACK") || method.equals("CANCEL") ? "1" : "2")
        + " "
        + method
        + "\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  static String cancel() {
    return "CANCEL sip:bob@example.com SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKcaller1;rport\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
        + "To: <sip:bob@example.com>\r\n"
        + "Call-ID: call-3@10.0.0.1\r\n"
        + "CSeq: 1 CANCEL\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  static String ackForNon2xx(String toTag) {
    return "ACK sip:bob@example.com SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKcaller1;rport\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
        + "To: <sip:bob@example.com>;tag="
        + toTag
        + "\r\n"
        + "Call-ID: call-3@10.0.0.1\r\n"
        + "CSeq: 1 ACK\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  static String body(SipMessage m) {
    return m.text(m.bodyStart(), m.bodyStart() + m.bodyLength());
  }

  static List<String> headerValues(SipMessage m, byte code) {
    List<String> r = new ArrayList<>();
    for (int i = m.findHeader(code); i >= 0; i = m.findHeader(code, i + 1)) {
      r.add(m.text(m.headerValueStart(i), m.headerValueEnd(i)));
    }
    return r;
  }

  static String ruri(SipMessage m) {
    return m.text(m.uriStart(), m.uriEnd());
  }

  /** The token this SBC seals into its Record-Route for the test dialog, sending to {@code hop}. */
  String token(String hop) {
    return token("call-3@10.0.0.1", hop);
  }

  String token(String callId, String hop) {
    byte[] c = callId.getBytes(StandardCharsets.ISO_8859_1);
    byte[] h = hop.getBytes(StandardCharsets.ISO_8859_1);
    try {
      UriTarget t =
          UriTarget.of(io.sbc.runtime.sip.message.SipUri.parse(h, 0, h.length), new String[1]);
      return seal.seal(c, 0, c.length, t);
    } catch (io.sbc.runtime.sip.message.SipParseException e) {
      throw new AssertionError(e);
    }
  }

  /** Our Record-Route URI as a peer puts it into its Route set, sealing {@code hop}. */
  String ourRoute(String transportParam, String hop) {
    return "<sip:127.0.0.1:5060" + transportParam + ";lr;s=" + token(hop) + ">";
  }

  /** The hop a Record-Route value of ours seals for the test dialog. */
  UriTarget opened(String rrValue) {
    int i = rrValue.indexOf(";s=");
    int e = rrValue.indexOf('>', i);
    byte[] t = rrValue.substring(i + 3, e).getBytes(StandardCharsets.ISO_8859_1);
    byte[] c = "call-3@10.0.0.1".getBytes(StandardCharsets.ISO_8859_1);
    return seal.open(t, 0, t.length, c, 0, c.length);
  }

  // --- INVITE forwarding (16.2, 16.6) ----------------------------------------------------

  @Test
  void inviteGets100AndIsForwardedWithTheEditsOf16_6() {
    fromCaller(invite());
    List<SipMessage> up = to(caller);
    assertEquals(1, up.size());
    SipMessage trying = up.get(0);
    assertEquals(100, trying.status());
    assertNull(trying.toTag());
    assertEquals("z9hG4bKcaller1", trying.topVia().branch());

    assertEquals(List.of(), to(addrB), "serial: B waits");
    SipMessage fwd = last(addrA);
    assertEquals("INVITE", fwd.method());
    assertEquals("sip:bob@example.com", ruri(fwd));
    assertEquals(2, fwd.vias().size());
    Via ours = fwd.topVia();
    assertEquals("UDP", ours.transport());
    assertEquals("127.0.0.1", ours.host());
    assertEquals(5060, ours.port());
    assertTrue(ours.branch().startsWith(Via.MAGIC_COOKIE), ours.branch());
    assertTrue(ours.branch().length() > Via.MAGIC_COOKIE.length() + 8);
    Via callers = fwd.vias().get(1);
    assertEquals("z9hG4bKcaller1", callers.branch());
    assertEquals("192.0.2.1", callers.received());
    assertEquals(5062, callers.rport());
    assertEquals(69, fwd.maxForwards());
    List<String> rr = headerValues(fwd, HeaderName.RECORD_ROUTE);
    assertEquals(1, rr.size());
    assertTrue(rr.get(0).startsWith("<sip:127.0.0.1:5060;lr;s="), rr.get(0));
    // The token seals where the callee's in-dialog requests go: the caller's Contact.
    assertEquals(new UriTarget("10.0.0.1", 5060, null, false), opened(rr.get(0)));
    assertEquals(SDP, body(fwd));
    assertEquals(SDP.length(), fwd.bodyLength());
    assertEquals("application/sdp", fwd.headerValue(HeaderName.CONTENT_TYPE));
    assertEquals("<sip:alice@10.0.0.1:5060>", fwd.headerValue(HeaderName.CONTACT));
    assertEquals(1, tl.serverCount());
    assertEquals(1, tl.clientCount());
  }

  @Test
  void maxForwardsIsAddedWhenAbsent() {
    fromCaller(invite("z9hG4bKnomf", ""));
    SipMessage fwd = last(addrA);
    assertEquals(70, fwd.maxForwards());
    assertEquals(SDP, body(fwd));
  }

  @Test
  void twoHundredIsForwardedUpstreamWithoutOurVia() {
    fromCaller(invite());
    SipMessage fwd = last(addrA);
    answer(addrA, fwd, 100, null);
    answer(addrA, fwd, 180, "callee");
    answer(addrA, fwd, 200, "callee");
    assertEquals(List.of(100, 180, 200), statusesTo(caller), "the 100 of A is not forwarded");
    SipMessage ok = last(caller);
    assertEquals(1, ok.vias().size());
    assertEquals("z9hG4bKcaller1", ok.topVia().branch());
    assertEquals("callee", ok.toTag());
    // A retransmitted 2xx passes too (RFC 6026).
    answer(addrA, fwd, 200, "callee");
    assertEquals(List.of(100, 180, 200, 200), statusesTo(caller));
    assertEquals(List.of(), to(addrB));
    assertAllTransactionsEnd();
  }

  @Test
  void retransmittedInviteGets100AgainAndIsNotForwardedTwice() {
    fromCaller(invite());
    fromCaller(invite());
    assertEquals(List.of(100, 100), statusesTo(caller));
    assertEquals(1, requestsTo(addrA, "INVITE").size());
    assertEquals(1, routed);
    // After a 2xx (server transaction Accepted) it is absorbed.
    answer(addrA, last(addrA), 200, "t");
    fromCaller(invite());
    assertEquals(List.of(100, 100, 200), statusesTo(caller));
    assertEquals(1, requestsTo(addrA, "INVITE").size());
  }

  // --- serial failover and best response (16.7) ------------------------------------------

  @Test
  void serialFailoverOn503AcksAAndTriesB() {
    fromCaller(invite());
    SipMessage invA = last(addrA);
    answer(addrA, invA, 503, "ta");
    SipMessage ackA = last(addrA);
    assertEquals("ACK", ackA.method());
    assertEquals(invA.topVia().branch(), ackA.topVia().branch());
    assertEquals("ta", ackA.toTag());
    assertEquals(ruri(invA), ruri(ackA));
    assertEquals("1 ACK", ackA.headerValue(HeaderName.CSEQ));

    SipMessage invB = last(addrB);
    assertEquals("INVITE", invB.method());
    assertNotEquals(invA.topVia().branch(), invB.topVia().branch());
    assertEquals(2, invB.vias().size());
    assertEquals(
        headerValues(invA, HeaderName.RECORD_ROUTE),
        headerValues(invB, HeaderName.RECORD_ROUTE),
        "every branch carries the same Record-Route, token included");
    assertEquals(SDP, body(invB));
    assertEquals(List.of(100), statusesTo(caller), "the 503 is not forwarded");

    answer(addrB, invB, 200, "tb");
    assertEquals(List.of(100, 200), statusesTo(caller));
    assertEquals("tb", last(caller).toTag());
    assertAllTransactionsEnd();
  }

  @Test
  void serialFailoverWhenATimesOut() {
    fromCaller(invite());
    runUntil(31_990);
    assertEquals(7, requestsTo(addrA, "INVITE").size(), "timer A retransmissions");
    assertEquals(List.of(), to(addrB));
    runUntil(32_000);
    SipMessage invB = last(addrB);
    assertEquals("INVITE", invB.method());
    assertEquals(List.of(100), statusesTo(caller));
    answer(addrB, invB, 200, "tb");
    assertEquals(List.of(100, 200), statusesTo(caller));
    assertAllTransactionsEnd();
  }

  @Test
  void a486EndsTheSearchAndIsForwarded() {
    fromCaller(invite());
    SipMessage invA = last(addrA);
    answer(addrA, invA, 486, "ta");
    assertEquals("ACK", last(addrA).method());
    assertEquals(List.of(100, 486), statusesTo(caller));
    assertEquals(List.of(), to(addrB), "B is never tried after a 4xx");
    SipMessage busy = last(caller);
    assertEquals(1, busy.vias().size());
    // The caller's ACK for the 486 ends at this proxy (hop by hop).
    int before = sent.size();
    fromCaller(ackForNon2xx("ta"));
    assertEquals(before, sent.size());
    runUntil(10_000);
    assertEquals(List.of(100, 486), statusesTo(caller), "no 486 retransmission after the ACK");
    assertAllTransactionsEnd();
  }

  @Test
  void allTargets503GiveA500() {
    fromCaller(invite());
    answer(addrA, last(addrA), 503, "ta");
    answer(addrB, last(addrB), 503, "tb");
    assertEquals(List.of(100, 500), statusesTo(caller));
    SipMessage r = last(caller);
    assertEquals(1, r.vias().size());
    assertEquals("z9hG4bKcaller1", r.topVia().branch());
    // The final is retransmitted (timer G) until the caller ACKs it.
    runUntil(600);
    assertEquals(List.of(100, 500, 500), statusesTo(caller));
    fromCaller(ackForNon2xx("tb"));
    assertAllTransactionsEnd();
  }

  @Test
  void allTargetsTimingOutGiveA408() {
    fromCaller(invite());
    runUntil(64_000);
    assertEquals(List.of(100, 408), statusesTo(caller));
    assertNotNull(last(caller).toTag());
    fromCaller(ackForNon2xx(last(caller).toTag()));
    assertAllTransactionsEnd();
  }

  // --- parallel forking ------------------------------------------------------------------

  @Test
  void parallelForkingForwardsTheFirst2xxAndCancelsTheOtherBranch() {
    action = RouteAction.forward(List.of(targetA, targetB), true, true);
    fromCaller(invite());
    SipMessage invA = last(addrA);
    SipMessage invB = last(addrB);
    assertEquals("INVITE", invA.method());
    assertEquals("INVITE", invB.method());
    assertNotEquals(invA.topVia().branch(), invB.topVia().branch());
    answer(addrA, invA, 180, "ta");
    answer(addrB, invB, 180, "tb");
    answer(addrA, invA, 200, "ta");
    assertEquals(List.of(100, 180, 180, 200), statusesTo(caller));
    assertEquals("ta", last(caller).toTag());
    SipMessage cancelB = last(addrB);
    assertEquals("CANCEL", cancelB.method());
    assertEquals(invB.topVia().branch(), cancelB.topVia().branch());
    assertEquals(List.of("INVITE"), methods(to(addrA)), "the winner gets no CANCEL");
    // B answers the CANCEL and its INVITE: B gets the ACK, the caller sees none of it.
    answer(addrB, cancelB, 200, "tb");
    answer(addrB, invB, 487, "tb");
    assertEquals("ACK", last(addrB).method());
    assertEquals(List.of(100, 180, 180, 200), statusesTo(caller));
    assertAllTransactionsEnd();
  }

  @Test
  void cancelOfAForkWaitsForItsProvisional() {
    action = RouteAction.forward(List.of(targetA, targetB), true, true);
    fromCaller(invite());
    SipMessage invB = last(addrB);
    answer(addrA, last(addrA), 200, "ta");
    assertEquals(List.of("INVITE"), methods(to(addrB)), "no CANCEL before a provisional");
    answer(addrB, invB, 180, "tb");
    assertEquals(List.of("INVITE", "CANCEL"), methods(to(addrB)));
  }

  @Test
  void sixHundredWinsOverFourAndFiveHundred() {
    InetSocketAddress addrC = new InetSocketAddress("10.0.0.4", 5060);
    action =
        RouteAction.forward(
            List.of(targetA, targetB, Target.parse("sip:10.0.0.4:5060", null)), true, true);
    fromCaller(invite());
    answer(addrA, last(addrA), 486, "ta");
    answer(addrB, last(addrB), 500, "tb");
    assertEquals(List.of(100), statusesTo(caller), "nothing final while a branch is pending");
    answer(addrC, last(addrC), 603, "tc");
    assertEquals(List.of(100, 603), statusesTo(caller));
    assertAllTransactionsEnd();
  }

  @Test
  void challengesOfParallelBranchesAreMerged() {
    // Section 16.7 steps 6 and 7: the 401/407 sent upstream carries every branch's challenge.
    action = RouteAction.forward(List.of(targetA, targetB), true, true);
    fromCaller(invite());
    deliver(
        udp,
        addrA,
        bytes(
            responseWith(
                last(addrA),
                407,
                "Proxy-Authenticate: Digest realm=\"a.example\", nonce=\"na\"\r\n")));
    deliver(
        udp,
        addrB,
        bytes(
            responseWith(
                last(addrB),
                401,
                "WWW-Authenticate: Digest realm=\"b.example\", nonce=\"nb\"\r\n")));
    SipMessage up = last(caller);
    assertTrue(up.status() == 401 || up.status() == 407, "a challenge: " + up.status());
    assertEquals(
        List.of("Digest realm=\"a.example\", nonce=\"na\""),
        headerValues(up, HeaderName.PROXY_AUTHENTICATE));
    assertEquals(
        List.of("Digest realm=\"b.example\", nonce=\"nb\""),
        headerValues(up, HeaderName.WWW_AUTHENTICATE));
    assertAllTransactionsEnd();
  }

  /** The unique part of one of our branches: after the prefix and the loop hash. */
  static long unique(String branch) {
    return Long.parseUnsignedLong(branch.substring(branch.lastIndexOf('-') + 1 + 8), 16);
  }

  /** A response of the callee to {@code req} with extra header lines. */
  static String responseWith(SipMessage req, int status, String extra) {
    String r =
        new String(
            Responses.build(req, status, Responses.reason(status), "t" + status, extra),
            StandardCharsets.ISO_8859_1);
    return r;
  }

  @Test
  void aCalleeAnswering487WithOnlyOurViaStillGivesTheCallerIts487() {
    fromCaller(invite());
    SipMessage invA = last(addrA);
    answer(addrA, invA, 180, "ta");
    fromCaller(cancel());
    assertEquals("CANCEL", last(addrA).method());
    // A broken callee: its 487 carries our Via only.
    String broken =
        new String(
                Responses.build(invA, 487, "Request Terminated", "ta", null),
                StandardCharsets.ISO_8859_1)
            .replaceAll("Via: [^\r]*received=[^\r]*\r\n", "");
    SipMessage parsed = parse(bytes(broken));
    assertEquals(1, parsed.vias().size(), "the test's 487 has our Via only");
    deliver(udp, addrA, bytes(broken));
    SipMessage fin = last(caller);
    assertEquals(487, fin.status());
    assertEquals("z9hG4bKcaller1", fin.topVia().branch(), "built for the caller's transaction");
    assertEquals("ta", fin.toTag());
    fromCaller(ackForNon2xx("ta"));
    assertAllTransactionsEnd();
  }

  @Test
  void anInviteWithHundredsOfHeadersAnswered486ReachesTheCallerAndTheCalleeGetsItsAck() {
    SipLimits big = new SipLimits(65_535, 1024, 64);
    proxy =
        Proxy.builder()
            .decoder(new SipMessageDecoder(big))
            .transactions(tl)
            .settings(new ProxySettings(false, 70))
            .myself(new Myself(listeners, Set.of(), Set.of()))
            .router(router)
            .routeSeal(seal)
            .clock(clock)
            .build();
    StringBuilder extra = new StringBuilder("Max-Forwards: 70\r\n");
    for (int i = 0; i < 600; i++) {
      extra.append("X-Filler-").append(i).append(": ").append("v".repeat(40)).append("\r\n");
    }
    fromCaller(invite("z9hG4bKbig", extra.toString()));
    List<Sent> toA = new ArrayList<>();
    for (Sent x : sent) {
      if (x.to().equals(addrA)) {
        toA.add(x);
      }
    }
    assertEquals(1, toA.size());
    SipMessage invA =
        new SipMessageDecoder(big).decode(toA.get(0).data(), toA.get(0).data().length, false);
    assertNull(invA.error());
    assertTrue(invA.headerCount() > 600, "forwarded whole");
    byte[] busy = Responses.build(invA, 486, "Busy Here", "ta", null);
    deliver(udp, addrA, busy);
    assertEquals(List.of(100, 486), statusesTo(caller));
    List<SipMessage> acks = new ArrayList<>();
    for (Sent x : sent) {
      SipMessage m = new SipMessageDecoder(big).decode(x.data(), x.data().length, false);
      if (x.to().equals(addrA) && m.isRequest() && m.method().equals("ACK")) {
        acks.add(m);
      }
    }
    assertEquals(1, acks.size(), "the callee gets its ACK");
    assertEquals("ta", acks.get(0).toTag());
    assertEquals(invA.topVia().branch(), acks.get(0).topVia().branch());
  }

  @Test
  void aResponseFromAnotherAddressThanTheBranchWentToIsDropped() {
    fromCaller(invite());
    SipMessage invA = last(addrA);
    InetSocketAddress spoofer = new InetSocketAddress("198.51.100.9", 5060);
    deliver(udp, spoofer, Responses.build(invA, 200, "OK", "evil", null));
    assertEquals(List.of(100), statusesTo(caller), "nothing forwarded");
    assertEquals(1, proxy.stats().dropped(Proxy.Drop.WRONG_SOURCE));
    answer(addrA, invA, 486, "ta");
    assertEquals(List.of(100, 486), statusesTo(caller), "the real answer still counts");
  }

  @Test
  void contentLengthIsAddedTowardsAStream() {
    // Section 16.6 step 9 with 18.3: a datagram without Content-Length has the rest as body; on a
    // stream the length must be written.
    action =
        RouteAction.forward(
            List.of(Target.parse("sip:10.0.0.2:5060;transport=tcp", null)), false, true);
    String inv = invite().replaceAll("Content-Length: \\d+\r\n", "");
    assertFalse(inv.contains("Content-Length"));
    fromCaller(inv);
    SipMessage fwd =
        DECODER.decode(
            sent.get(sent.size() - 1).data(), sent.get(sent.size() - 1).data().length, true);
    assertNull(fwd.error(), () -> "a stream peer must be able to frame it: " + fwd.error());
    assertEquals(String.valueOf(SDP.length()), fwd.headerValue(HeaderName.CONTENT_LENGTH));
    assertEquals(SDP, body(fwd));
  }

  @Test
  void branchesAreUnpredictable() {
    // SipHash-2-4 reference vector (key 00..0f, message 00..07).
    Branches keyed =
        new Branches(
            null,
            new java.util.Random() {
              int n;

              @Override
              public long nextLong() {
                return switch (n++) {
                  case 0 -> 0; // the process id part
                  case 1 -> 0x0706050403020100L;
                  default -> 0x0f0e0d0c0b0a0908L;
                };
              }
            });
    assertEquals(0x93f5f5799a932462L, keyed.sipHash(0x0706050403020100L));
    // Successive branches of one process: a counter would differ in a bit or two, a keyed
    // pseudo-random function in about half of its 64.
    Branches b = new Branches();
    long prev = unique(b.next(7));
    int bits = 0;
    for (int k = 0; k < 1000; k++) {
      long next = unique(b.next(7));
      bits += Long.bitCount(prev ^ next);
      prev = next;
    }
    assertTrue(bits / 1000.0 > 24, "average differing bits: " + bits / 1000.0);
    assertTrue(b.isOurs(bytes(b.next(7)), 0, b.next(7).length()));
    assertFalse(new Branches().isOurs(bytes(b.next(7)), 0, b.next(7).length()), "per process");
    // Replicas of one gateway share the prefix (one takes the other's Via as its own), not the
    // unpredictable part.
    Branches r1 = new Branches("edge");
    Branches r2 = new Branches("edge");
    assertTrue(r2.isOurs(bytes(r1.next(7)), 0, r1.next(7).length()));
    assertNotEquals(unique(r1.next(7)), unique(r2.next(7)));
    assertFalse(new Branches("core").isOurs(bytes(r1.next(7)), 0, r1.next(7).length()));
  }

  @Test
  void sixHundredFirstCancelsTheOtherForkAndStillWins() {
    action = RouteAction.forward(List.of(targetA, targetB), true, true);
    fromCaller(invite());
    SipMessage invB = last(addrB);
    answer(addrB, invB, 180, "tb");
    answer(addrA, last(addrA), 603, "ta");
    assertEquals("CANCEL", last(addrB).method());
    answer(addrB, invB, 487, "tb");
    assertEquals(List.of(100, 180, 603), statusesTo(caller));
  }

  @Test
  void lowestClassWinsAmongFourAndFiveHundred() {
    action = RouteAction.forward(List.of(targetA, targetB), true, true);
    fromCaller(invite());
    answer(addrA, last(addrA), 500, "ta");
    answer(addrB, last(addrB), 404, "tb");
    assertEquals(List.of(100, 404), statusesTo(caller));
  }

  static List<String> methods(List<SipMessage> ms) {
    List<String> r = new ArrayList<>();
    for (SipMessage m : ms) {
      r.add(m.isRequest() ? m.method() : Integer.toString(m.status()));
    }
    return r;
  }

  // --- CANCEL (16.10) --------------------------------------------------------------------

  @Test
  void cancelFromTheCallerIsAnsweredAndPropagated() {
    fromCaller(invite());
    SipMessage invA = last(addrA);
    answer(addrA, invA, 180, "ta");
    fromCaller(cancel());
    List<SipMessage> up = to(caller);
    SipMessage okCancel = up.get(up.size() - 1);
    assertEquals(200, okCancel.status());
    assertEquals("CANCEL", okCancel.cseqMethod());
    SipMessage cancelA = last(addrA);
    assertEquals("CANCEL", cancelA.method());
    assertEquals(invA.topVia().branch(), cancelA.topVia().branch());
    assertEquals(ruri(invA), ruri(cancelA));
    answer(addrA, cancelA, 200, "ta");
    answer(addrA, invA, 487, "ta");
    assertEquals("ACK", last(addrA).method());
    SipMessage terminated = last(caller);
    assertEquals(487, terminated.status());
    assertEquals("INVITE", terminated.cseqMethod());
    assertEquals(List.of(), to(addrB), "no new branch after a CANCEL");
    fromCaller(ackForNon2xx("ta"));
    assertAllTransactionsEnd();
  }

  @Test
  void cancelBeforeAnyProvisionalIsSentWhenOneArrives() {
    fromCaller(invite());
    SipMessage invA = last(addrA);
    fromCaller(cancel());
    assertEquals(List.of("INVITE"), methods(to(addrA)));
    answer(addrA, invA, 180, "ta");
    assertEquals(List.of("INVITE", "CANCEL"), methods(to(addrA)));
    answer(addrA, invA, 487, "ta");
    assertEquals(487, last(caller).status());
  }

  @Test
  void cancelWithoutTransactionGets481() {
    fromCaller(cancel());
    assertEquals(List.of(481), statusesTo(caller));
    assertEquals(List.of(), to(addrA));
  }

  // --- in-dialog requests and loose routing (16.4, 16.6 step 6-7) -------------------------

  @Test
  void inDialogAckAndByeFollowTheRequestUriAfterOurRouteIsRemoved() {
    String route = "Route: " + ourRoute("", "sip:bob@10.0.0.7:5080") + "\r\nMax-Forwards: 70\r\n";
    fromCaller(request("ACK", "sip:bob@10.0.0.7:5080", "z9hG4bKack2xx", "callee", route));
    InetSocketAddress callee = new InetSocketAddress("10.0.0.7", 5080);
    SipMessage ack = last(callee);
    assertEquals("ACK", ack.method());
    assertEquals("sip:bob@10.0.0.7:5080", ruri(ack));
    assertEquals(List.of(), headerValues(ack, HeaderName.ROUTE));
    assertEquals(List.of(), headerValues(ack, HeaderName.RECORD_ROUTE));
    assertEquals(2, ack.vias().size());
    assertEquals(69, ack.maxForwards());
    assertEquals(0, routed, "in-dialog requests do not consult the router");
    assertEquals(0, tl.serverCount(), "an ACK for a 2xx makes no transaction");

    fromCaller(request("BYE", "sip:bob@10.0.0.7:5080", "z9hG4bKbye", "callee", route));
    SipMessage bye = last(callee);
    assertEquals("BYE", bye.method());
    assertEquals(List.of(), headerValues(bye, HeaderName.ROUTE));
    assertEquals(List.of(), headerValues(bye, HeaderName.RECORD_ROUTE));
    assertEquals(69, bye.maxForwards());
    assertEquals(0, routed);
    answer(callee, bye, 200, "callee");
    SipMessage ok = last(caller);
    assertEquals(200, ok.status());
    assertEquals("BYE", ok.cseqMethod());
    assertEquals(1, ok.vias().size());
    assertAllTransactionsEnd();
  }

  @Test
  void looseRouteToTheNextProxyKeepsItsRoute() {
    String route =
        "Route: "
            + ourRoute("", "sip:10.0.0.8:5070;lr")
            + ", <sip:10.0.0.8:5070;lr>\r\nMax-Forwards: 70\r\n";
    fromCaller(request("BYE", "sip:bob@10.0.0.7:5080", "z9hG4bKbye", "callee", route));
    SipMessage bye = last(new InetSocketAddress("10.0.0.8", 5070));
    assertEquals("sip:bob@10.0.0.7:5080", ruri(bye));
    assertEquals(List.of("<sip:10.0.0.8:5070;lr>"), headerValues(bye, HeaderName.ROUTE));
  }

  @Test
  void strictRoutedRequestGetsTheLastRouteAsRequestUri() {
    // Section 16.4: a strict router put our Record-Route URI into the Request-URI.
    String route =
        "Route: <sip:10.0.0.8:5070;lr>\r\nRoute: <sip:bob@10.0.0.7:5080>\r\nMax-Forwards: 70\r\n";
    String rr = "sip:127.0.0.1:5060;lr;s=" + token("sip:10.0.0.8:5070;lr");
    fromCaller(request("BYE", rr, "z9hG4bKsr", "callee", route));
    SipMessage bye = last(new InetSocketAddress("10.0.0.8", 5070));
    assertEquals("BYE", bye.method());
    assertEquals("sip:bob@10.0.0.7:5080", ruri(bye));
    assertEquals(List.of("<sip:10.0.0.8:5070;lr>"), headerValues(bye, HeaderName.ROUTE));
  }

  @Test
  void strictRoutedRequestWithNothingButTheRequestUriLeft() {
    String route = "Route: <sip:bob@10.0.0.7:5080>\r\nMax-Forwards: 70\r\n";
    String rr = "sip:127.0.0.1:5060;lr;s=" + token("sip:bob@10.0.0.7:5080");
    fromCaller(request("BYE", rr, "z9hG4bKsr2", "callee", route));
    SipMessage bye = last(new InetSocketAddress("10.0.0.7", 5080));
    assertEquals("sip:bob@10.0.0.7:5080", ruri(bye));
    assertEquals(List.of(), headerValues(bye, HeaderName.ROUTE));
  }

  @Test
  void nextHopStrictRouterGetsItsUriAsRequestUri() {
    // Section 16.6 step 6: the Route URI has no lr.
    String route =
        "Route: "
            + ourRoute("", "sip:10.0.0.8:5070")
            + "\r\nRoute: <sip:10.0.0.8:5070>, <sip:10.0.0.9;lr>\r\nMax-Forwards: 70\r\n";
    fromCaller(request("BYE", "sip:bob@10.0.0.7:5080", "z9hG4bKstrict", "callee", route));
    SipMessage bye = last(new InetSocketAddress("10.0.0.8", 5070));
    assertEquals("sip:10.0.0.8:5070", ruri(bye));
    List<String> routes = new ArrayList<>();
    for (String v : headerValues(bye, HeaderName.ROUTE)) {
      routes.addAll(Arrays.asList(v.split("\\s*,\\s*")));
    }
    assertEquals(List.of("<sip:10.0.0.9;lr>", "<sip:bob@10.0.0.7:5080>"), routes);
  }

  @Test
  void nextHopStrictRouterSharingALineWithOurRoute() {
    String route =
        "Route: "
            + ourRoute("", "sip:10.0.0.8:5070")
            + ", <sip:10.0.0.8:5070>\r\n"
            + "Route: <sip:10.0.0.9;lr>\r\nMax-Forwards: 70\r\n";
    fromCaller(request("BYE", "sip:bob@10.0.0.7:5080", "z9hG4bKstrict2", "callee", route));
    SipMessage bye = last(new InetSocketAddress("10.0.0.8", 5070));
    assertEquals("sip:10.0.0.8:5070", ruri(bye));
    assertEquals(
        List.of("<sip:10.0.0.9;lr>", "<sip:bob@10.0.0.7:5080>"),
        headerValues(bye, HeaderName.ROUTE));
  }

  @Test
  void strictRoutingUaThroughDoubleRecordRoute() {
    // An RFC 2543 UA puts our first Record-Route URI into the Request-URI and the rest of the
    // route set, ending with its remote target, into Route (section 12.2.1.1).
    String route =
        "Route: "
            + ourRoute(";transport=tcp", "sip:alice@10.0.0.1:5070")
            + ", <sip:alice@10.0.0.1:5070>\r\n"
            + "Max-Forwards: 70\r\n";
    String rr = "sip:127.0.0.1:5060;lr;s=" + token("sip:alice@10.0.0.1:5070");
    deliver(udp, addrA, bytes(request("BYE", rr, "z9hG4bKsrdrr", "callee", route)));
    SipMessage bye = last(new InetSocketAddress("10.0.0.1", 5070));
    assertEquals("BYE", bye.method());
    assertEquals("sip:alice@10.0.0.1:5070", ruri(bye));
    assertEquals(List.of(), headerValues(bye, HeaderName.ROUTE));
  }

  @Test
  void ackFor2xxReusingTheInviteBranchIsForwarded() {
    // RFC 6026 section 7.1 (figure 7): an ACK matching a server transaction in Accepted is passed
    // to the TU, which forwards it; only the ACK of a non-2xx is absorbed.
    String inv = invite("z9hG4bKreuse", "Max-Forwards: 70\r\nRoute: <sip:127.0.0.1:5060;lr>\r\n");
    inv = inv.replace("INVITE sip:bob@example.com", "INVITE sip:bob@10.0.0.2:5060");
    fromCaller(inv);
    SipMessage invA = last(addrA);
    answer(addrA, invA, 200, "ta");
    assertEquals(200, last(caller).status());
    String ack =
        "ACK sip:bob@10.0.0.2:5060 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKreuse;rport\r\n"
            + "Route: <sip:127.0.0.1:5060;lr>\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: \"Alice\" <sip:alice@example.com>;tag=a1\r\n"
            + "To: <sip:bob@example.com>;tag=ta\r\n"
            + "Call-ID: call-3@10.0.0.1\r\n"
            + "CSeq: 1 ACK\r\n"
            + "Content-Length: 0\r\n\r\n";
    fromCaller(ack);
    SipMessage fwd = last(addrA);
    assertEquals("ACK", fwd.method());
    assertEquals(List.of(), headerValues(fwd, HeaderName.ROUTE));
    assertEquals(2, fwd.vias().size());
  }

  // --- validation (16.3) -----------------------------------------------------------------

  @Test
  void maxForwardsZeroGets483() {
    fromCaller(invite("z9hG4bKmf0", "Max-Forwards: 0\r\n"));
    assertEquals(List.of(483), statusesTo(caller));
    assertEquals(List.of(), to(addrA));
    assertEquals(0, tl.serverCount());
  }

  @Test
  void optionsForTheProxyItselfIsAnsweredEvenWithMaxForwardsZero() {
    fromCaller(
        request("OPTIONS", "sip:127.0.0.1:5060", "z9hG4bKopt0", null, "Max-Forwards: 0\r\n"));
    assertEquals(List.of(200), statusesTo(caller));
    fromCaller(
        request("OPTIONS", "sip:127.0.0.1:5060", "z9hG4bKopt1", null, "Max-Forwards: 70\r\n"));
    assertEquals(List.of(200, 200), statusesTo(caller));
    assertNotNull(last(caller).headerValue(HeaderName.ALLOW));
    assertEquals(0, routed);
    // With a user part it is not for the proxy itself: Max-Forwards applies.
    fromCaller(
        request("OPTIONS", "sip:bob@127.0.0.1:5060", "z9hG4bKopt2", null, "Max-Forwards: 0\r\n"));
    assertEquals(List.of(200, 200, 483), statusesTo(caller));
  }

  @Test
  void proxyRequireGets420WithUnsupported() {
    fromCaller(invite("z9hG4bKpr", "Max-Forwards: 70\r\nProxy-Require: foo\r\n"));
    assertEquals(List.of(420), statusesTo(caller));
    assertEquals("foo", last(caller).headerValue(HeaderName.UNSUPPORTED));
    assertEquals(List.of(), to(addrA));
  }

  @Test
  void requestLoopingBackUnchangedGets482() {
    fromCaller(invite());
    Sent fwd = sent.get(sent.size() - 1);
    assertEquals(addrA, fwd.to());
    // A misconfigured element sends the very request back to us.
    deliver(udp, addrA, fwd.data());
    SipMessage r = last(addrA);
    assertTrue(r.isResponse(), "expected a response, got " + r);
    assertEquals(482, r.status());
    assertEquals(1, requestsTo(addrA, "INVITE").size());
  }

  @Test
  void spiralWithChangedRequestUriIsForwarded() {
    fromCaller(invite());
    Sent fwd = sent.get(sent.size() - 1);
    String text = new String(fwd.data(), StandardCharsets.ISO_8859_1);
    String spiral = text.replaceFirst("INVITE sip:bob@example.com", "INVITE sip:bob2@example.com");
    deliver(udp, addrA, bytes(spiral));
    List<SipMessage> invites = requestsTo(addrA, "INVITE");
    assertEquals(2, invites.size());
    SipMessage second = invites.get(1);
    assertEquals("sip:bob2@example.com", ruri(second));
    assertEquals(3, second.vias().size(), "our Via twice, with different branches");
    assertNotEquals(second.vias().get(0).branch(), second.vias().get(1).branch());
    assertEquals(List.of(100), statusesTo(caller));
  }

  // --- Record-Route across transports (16.6 step 4, RFC 5658) ----------------------------

  @Test
  void tcpToUdpGetsTwoRecordRoutes() {
    proxy.receive(loop, new Flow(tcp, caller, null), bytes(invite()));
    SipMessage fwd = last(addrA);
    assertEquals("UDP", fwd.topVia().transport());
    List<String> rr = headerValues(fwd, HeaderName.RECORD_ROUTE);
    assertEquals(2, rr.size());
    assertTrue(rr.get(0).startsWith("<sip:127.0.0.1:5060;lr;s="), rr.get(0));
    assertTrue(rr.get(1).startsWith("<sip:127.0.0.1:5060;transport=tcp;lr;s="), rr.get(1));
    assertEquals(opened(rr.get(0)), opened(rr.get(1)), "one token for both entries");
    // On a stream the response rides the request's connection; the flow's address is where a
    // new connection would go should that one close: the source IP and the Via port (18.2.2).
    assertEquals(100, last(new InetSocketAddress("192.0.2.1", 5060)).status());
  }

  @Test
  void inDialogRequestThroughDoubleRecordRouteIsRouted() {
    String route =
        "Route: "
            + ourRoute("", "sip:alice@10.0.0.1:5060;transport=tcp")
            + ", "
            + ourRoute(";transport=tcp", "sip:alice@10.0.0.1:5060;transport=tcp")
            + "\r\n"
            + "Max-Forwards: 70\r\n";
    deliver(
        udp,
        addrA,
        bytes(
            request(
                "BYE", "sip:alice@10.0.0.1:5060;transport=tcp", "z9hG4bKdrr", "callee", route)));
    SipMessage bye = last(new InetSocketAddress("10.0.0.1", 5060));
    assertEquals(List.of(), headerValues(bye, HeaderName.ROUTE));
    assertEquals("TCP", bye.topVia().transport());
  }

  // --- RFC 2543 peers --------------------------------------------------------------------

  @Test
  void rfc2543InviteGetsATransactionAndItsRetransmissionIsAbsorbed() {
    String inv = invite("1234abcd", "Max-Forwards: 70\r\n");
    fromCaller(inv);
    assertEquals(1, tl.serverCount());
    fromCaller(inv);
    assertEquals(List.of(100, 100), statusesTo(caller));
    assertEquals(1, requestsTo(addrA, "INVITE").size());
    SipMessage invA = last(addrA);
    assertTrue(invA.topVia().hasMagicCookieBranch(), "our own branch is RFC 3261");
    answer(addrA, invA, 486, "ta");
    assertEquals(List.of(100, 100, 486), statusesTo(caller));
    // The ACK matches by the RFC 2543 rules and ends here.
    String ack = ackForNon2xx("ta").replace("branch=z9hG4bKcaller1;rport", "branch=1234abcd;rport");
    int before = sent.size();
    fromCaller(ack);
    assertEquals(before, sent.size());
    assertAllTransactionsEnd();
  }

  @Test
  void rfc2543InviteWithoutBranch() {
    String inv = invite("x", "Max-Forwards: 70\r\n").replace(";branch=x", "");
    fromCaller(inv);
    fromCaller(inv);
    assertEquals(List.of(100, 100), statusesTo(caller));
    assertEquals(1, requestsTo(addrA, "INVITE").size());
  }

  // --- responses (16.7, 18.1.2) ----------------------------------------------------------

  @Test
  void responseWhoseTopViaIsNotOursIsDropped() {
    fromCaller(invite());
    int before = sent.size();
    String resp =
        "SIP/2.0 200 OK\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKsomeoneelse\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKcaller1;rport\r\n"
            + "From: <sip:alice@example.com>;tag=a1\r\n"
            + "To: <sip:bob@example.com>;tag=x\r\n"
            + "Call-ID: call-3@10.0.0.1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Content-Length: 0\r\n\r\n";
    deliver(udp, addrA, bytes(resp));
    assertEquals(before, sent.size());
    assertEquals(1, proxy.stats().dropped(Proxy.Drop.NOT_OUR_VIA));
  }

  @Test
  void late2xxWithoutTransactionIsForwardedStatelessly() {
    fromCaller(invite());
    SipMessage invA = last(addrA);
    answer(addrA, invA, 200, "ta");
    assertAllTransactionsEnd();
    answer(addrA, invA, 200, "ta");
    SipMessage ok = last(caller);
    assertEquals(200, ok.status());
    assertEquals(1, ok.vias().size());
  }

  @Test
  void statelessModeForwardsCancel() {
    proxy = newProxy(true);
    fromCaller(invite());
    SipMessage inv = last(addrA);
    fromCaller(cancel());
    SipMessage c = last(addrA);
    assertEquals("CANCEL", c.method(), "a stateless proxy forwards CANCEL like any request");
    assertEquals(inv.topVia().branch(), c.topVia().branch(), "so that it matches the INVITE");
    assertEquals(List.of(), statusesTo(caller));
  }

  // --- stateless mode (16.11) ------------------------------------------------------------

  @Test
  void statelessModeForwardsWithADeterministicBranchAndNoTransactions() {
    proxy = newProxy(true);
    fromCaller(invite());
    fromCaller(invite());
    List<SipMessage> invites = requestsTo(addrA, "INVITE");
    assertEquals(2, invites.size(), "a retransmission is forwarded again");
    assertEquals(List.of(), statusesTo(caller), "no 100 Trying from a stateless proxy");
    String b1 = invites.get(0).topVia().branch();
    assertTrue(b1.startsWith(Via.MAGIC_COOKIE));
    assertEquals(b1, invites.get(1).topVia().branch());
    assertArrayEquals(
        sent.get(0).data(), sent.get(1).data(), "a retransmission is forwarded identically");
    assertEquals(0, tl.serverCount());
    assertEquals(0, tl.clientCount());
    assertEquals(List.of(), to(addrB), "stateless: first target only");
    // The response goes back by the Via (received/rport), statelessly.
    answer(addrA, invites.get(0), 180, "ta");
    SipMessage ringing = last(caller);
    assertEquals(180, ringing.status());
    assertEquals(1, ringing.vias().size());
    assertEquals(0, tl.clientCount());
    // Another request gets another branch.
    fromCaller(invite("z9hG4bKcaller2", "Max-Forwards: 70\r\n"));
    assertNotEquals(b1, last(addrA).topVia().branch());
  }
}
