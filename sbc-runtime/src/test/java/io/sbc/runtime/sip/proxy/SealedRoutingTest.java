package io.sbc.runtime.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.seal.RouteSeal;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.timer.ManualClock;
import io.sbc.runtime.sip.transaction.MessageSender;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.sbc.runtime.sip.transport.Flow;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * In-dialog routing is sealed (no open relay): with the gateway's real routing table, two proxies
 * sharing a key (two replicas), and every message read from what the proxies send. Forged Route
 * values, forged dialogs and strict-router tricks never reach the address they name; genuine
 * dialogs work from either side and through either replica.
 */
class SealedRoutingTest {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  static final String CONFIG =
      """
      apiVersion: sbc.io/v1alpha1
      kind: SipGateway
      metadata:
        name: edge
      spec:
        listeners:
          - name: udp
            protocol: SIP-UDP
            address: 127.0.0.1
            port: 5060
        domains: [sbc.example.com]
        sealing:
          secret: "%s"
      ---
      apiVersion: sbc.io/v1alpha1
      kind: SipRoute
      metadata:
        name: to-pbx
      spec:
        parentRefs: [{name: edge}]
        rules:
          - matches: [{requestUri: {user: {type: Prefix, value: "legacy"}}}]
            allowInDialog: true
            backendRefs: [{uri: "sip:10.0.0.9:5060"}]
          - backendRefs: [{uri: "sip:10.0.0.2:5060"}]
      """;

  static final String SECRET = "shared by every replica of edge";

  final ManualClock clock = new ManualClock(0);
  final Loop loop = new Loop(0, null, null, clock);
  final List<Sent> sent = new ArrayList<>();

  /** The caller, the callee (the route's backend), and an address nobody routed to. */
  final InetSocketAddress caller = new InetSocketAddress("192.0.2.1", 5062);

  final InetSocketAddress callee = new InetSocketAddress("10.0.0.2", 5060);
  final InetSocketAddress victim = new InetSocketAddress("203.0.113.66", 5060);

  final Replica a = new Replica("a", SECRET);
  final Replica b = new Replica("b", SECRET);

  record Sent(String replica, Flow flow, byte[] data) {
    SipMessage decode() {
      SipMessage m = DECODER.decode(data, data.length, false);
      assertNull(m.error(), () -> "sent message must parse: " + m.error());
      return m;
    }
  }

  /** One SBC process: its own transactions and branches, the shared configuration and key. */
  final class Replica {
    final GatewayConfig config;
    final TransactionLayer tl;
    final Proxy proxy;
    final Listener udp;

    Replica(String name, String secret) {
      try {
        config = GatewayConfig.load("test.yaml", CONFIG.formatted(secret), null);
      } catch (io.sbc.api.ConfigException e) {
        throw new AssertionError(String.join("\n", e.errors()), e);
      }
      MessageSender sender = (l, flow, data, onFailure) -> sent.add(new Sent(name, flow, data));
      tl = new TransactionLayer(sender, config.timers());
      udp = config.listeners().get(0);
      try {
        proxy =
            Proxy.builder()
                .decoder(DECODER)
                .transactions(tl)
                .settings(config.proxy())
                .myself(config.myself())
                .router(config.router(n -> null, null))
                .routeSeal(new RouteSeal(config.sealKeys()))
                .clock(clock)
                .build();
      } catch (io.sbc.api.ConfigException e) {
        throw new AssertionError(e);
      }
    }

    void receive(InetSocketAddress from, String message) {
      proxy.receive(loop, new Flow(udp, from, null), message.getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  List<SipMessage> to(InetSocketAddress addr) {
    List<SipMessage> r = new ArrayList<>();
    for (Sent s : sent) {
      if (s.flow().remote().equals(addr)) {
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

  static List<String> values(SipMessage m, byte code) {
    List<String> r = new ArrayList<>();
    for (int i = m.findHeader(code); i >= 0; i = m.findHeader(code, i + 1)) {
      for (String v : m.text(m.headerValueStart(i), m.headerValueEnd(i)).split(",")) {
        r.add(v.strip());
      }
    }
    return r;
  }

  // --- messages of the test dialog -------------------------------------------------------------

  static final String CALL_ID = "dialog-1@192.0.2.1";

  static String invite(String callId, String extra) {
    return "INVITE sip:bob@sbc.example.com SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bKinv1;rport\r\n"
        + extra
        + "Max-Forwards: 70\r\n"
        + "From: <sip:alice@example.com>;tag=alice1\r\n"
        + "To: <sip:bob@sbc.example.com>\r\n"
        + "Call-ID: "
        + callId
        + "\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:alice@192.0.2.1:5062>\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  /** The callee's 200 for the INVITE it received: Via and Record-Route copied, its Contact. */
  static String ok(SipMessage inv, String toTag) {
    StringBuilder sb = new StringBuilder("SIP/2.0 200 OK\r\n");
    for (int i = 0; i < inv.headerCount(); i++) {
      byte c = inv.headerCode(i);
      if (c == HeaderName.VIA
          || c == HeaderName.RECORD_ROUTE
          || c == HeaderName.FROM
          || c == HeaderName.CALL_ID
          || c == HeaderName.CSEQ) {
        sb.append(inv.text(inv.headerLineStart(i), inv.headerLineEnd(i)));
      }
    }
    sb.append("To: <sip:bob@sbc.example.com>;tag=").append(toTag).append("\r\n");
    sb.append("Contact: <sip:bob@10.0.0.2:5060>\r\n");
    sb.append("Content-Length: 0\r\n\r\n");
    return sb.toString();
  }

  /** A request of the caller within the dialog: route set from the 200's Record-Route. */
  static String fromCaller(String method, String ruri, int cseq, String route, String branch) {
    return method
        + " "
        + ruri
        + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.1:5062;branch="
        + branch
        + ";rport\r\n"
        + (route == null ? "" : "Route: " + route + "\r\n")
        + "Max-Forwards: 70\r\n"
        + "From: <sip:alice@example.com>;tag=alice1\r\n"
        + "To: <sip:bob@sbc.example.com>;tag=bob1\r\n"
        + "Call-ID: "
        + CALL_ID
        + "\r\n"
        + "CSeq: "
        + cseq
        + " "
        + method
        + "\r\n"
        + "Contact: <sip:alice@192.0.2.1:5062>\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  /** A request of the callee within the dialog: route set from the INVITE's Record-Route. */
  static String fromCallee(String method, int cseq, String route, String branch) {
    return method
        + " sip:alice@192.0.2.1:5062 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 10.0.0.2:5060;branch="
        + branch
        + ";rport\r\n"
        + "Route: "
        + route
        + "\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:bob@sbc.example.com>;tag=bob1\r\n"
        + "To: <sip:alice@example.com>;tag=alice1\r\n"
        + "Call-ID: "
        + CALL_ID
        + "\r\n"
        + "CSeq: "
        + cseq
        + " "
        + method
        + "\r\n"
        + "Contact: <sip:bob@10.0.0.2:5060>\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  /** Answers the last request sent to {@code peer} with a 200 from there. */
  void answer200(Replica r, InetSocketAddress peer) {
    SipMessage req = last(peer);
    r.receive(peer, ok(req, "bob1").replace("Contact: <sip:bob@10.0.0.2:5060>\r\n", ""));
  }

  /** Sets up the dialog through replica {@code r}; returns the caller's and callee's route sets. */
  String[] establish(Replica r) {
    r.receive(caller, invite(CALL_ID, ""));
    SipMessage inv = last(callee);
    List<String> rrAtCallee = values(inv, HeaderName.RECORD_ROUTE);
    assertEquals(1, rrAtCallee.size());
    r.receive(callee, ok(inv, "bob1"));
    SipMessage ok = last(caller);
    assertEquals(200, ok.status());
    List<String> rrAtCaller = values(ok, HeaderName.RECORD_ROUTE);
    assertEquals(1, rrAtCaller.size());
    assertTrue(rrAtCaller.get(0).startsWith("<sip:127.0.0.1:5060;lr;s="), rrAtCaller.get(0));
    return new String[] {rrAtCaller.get(0), rrAtCallee.get(0)};
  }

  // --- genuine dialogs ------------------------------------------------------------------------

  @Test
  void aDialogThroughOneReplicaContinuesThroughTheOtherFromEitherSide() {
    String[] routes = establish(a);
    // The caller's ACK and re-INVITE through B (another replica, the same key).
    b.receive(caller, fromCaller("ACK", "sip:bob@10.0.0.2:5060", 1, routes[0], "z9hG4bKack1"));
    SipMessage ack = last(callee);
    assertEquals("ACK", ack.method());
    assertEquals(List.of(), values(ack, HeaderName.ROUTE), "our Route value is removed");
    b.receive(caller, fromCaller("INVITE", "sip:bob@10.0.0.2:5060", 2, routes[0], "z9hG4bKre1"));
    assertEquals("INVITE", last(callee).method());
    answer200(b, callee);
    assertEquals(200, last(caller).status());
    // The callee's BYE through A: it reaches the caller's Contact.
    a.receive(callee, fromCallee("BYE", 1, routes[1], "z9hG4bKbye1"));
    SipMessage bye = last(caller);
    assertEquals("BYE", bye.method());
    assertEquals("sip:alice@192.0.2.1:5062", bye.text(bye.uriStart(), bye.uriEnd()));
    a.receive(caller, responseTo(bye, 200));
    SipMessage byeOk = last(callee);
    assertEquals(200, byeOk.status());
    assertEquals(0, a.proxy.stats().refusedRoutes.sum() + b.proxy.stats().refusedRoutes.sum());
    assertEquals(List.of(), to(victim));
  }

  @Test
  void theCallersByeThroughTheOtherReplica() {
    String[] routes = establish(a);
    b.receive(caller, fromCaller("BYE", "sip:bob@10.0.0.2:5060", 3, routes[0], "z9hG4bKbye2"));
    SipMessage bye = last(callee);
    assertEquals("BYE", bye.method());
    b.receive(callee, responseTo(bye, 200));
    assertEquals(200, last(caller).status());
  }

  static String responseTo(SipMessage req, int status) {
    StringBuilder sb = new StringBuilder("SIP/2.0 " + status + " OK\r\n");
    for (int i = 0; i < req.headerCount(); i++) {
      byte c = req.headerCode(i);
      if (c == HeaderName.VIA
          || c == HeaderName.FROM
          || c == HeaderName.TO
          || c == HeaderName.CALL_ID
          || c == HeaderName.CSEQ) {
        sb.append(req.text(req.headerLineStart(i), req.headerLineEnd(i)));
      }
    }
    sb.append("Content-Length: 0\r\n\r\n");
    return sb.toString();
  }

  // --- forgeries ------------------------------------------------------------------------------

  @Test
  void aForgedDialogWithoutOurRouteIsRefused() {
    a.receive(caller, fromCaller("BYE", "sip:bob@203.0.113.66:5060", 2, null, "z9hG4bKf1"));
    assertEquals(List.of(), to(victim));
    assertEquals(403, last(caller).status());
  }

  @Test
  void ourRouteWithoutATokenDoesNotOpenAnything() {
    // The old open relay: a Route naming the SBC, then the Request-URI of one's choosing.
    a.receive(
        caller,
        fromCaller("BYE", "sip:x@203.0.113.66:5060", 2, "<sip:127.0.0.1:5060;lr>", "z9hG4bKf2"));
    a.receive(
        caller,
        fromCaller(
            "INFO",
            "sip:x@192.0.2.200",
            2,
            "<sip:127.0.0.1:5060;lr>, <sip:203.0.113.66:5060;lr>",
            "z9hG4bKf3"));
    assertEquals(List.of(), to(victim));
    assertEquals(List.of(), to(new InetSocketAddress("192.0.2.200", 5060)));
    assertEquals(List.of(403, 403), statuses(to(caller)));
  }

  @Test
  void aTamperedTruncatedOrForeignTokenIsRefused() {
    String[] routes = establish(a);
    String genuine = routes[0];
    int s = genuine.indexOf(";s=") + 3;
    String token = genuine.substring(s, genuine.indexOf('>', s));
    char flipped = token.charAt(8) == 'A' ? 'B' : 'A';
    String tampered = genuine.substring(0, s + 8) + flipped + genuine.substring(s + 9);
    String truncated = genuine.replace(token, token.substring(0, token.length() - 3));
    Replica other = new Replica("other", "another gateway's secret, 32+ b");
    String foreignRoute = establish(other)[0];
    int before = to(callee).size();
    a.receive(caller, fromCaller("BYE", "sip:bob@10.0.0.2:5060", 2, tampered, "z9hG4bKt1"));
    a.receive(caller, fromCaller("BYE", "sip:bob@10.0.0.2:5060", 3, truncated, "z9hG4bKt2"));
    a.receive(caller, fromCaller("BYE", "sip:bob@10.0.0.2:5060", 4, foreignRoute, "z9hG4bKt3"));
    assertEquals(before, to(callee).size(), "nothing forwarded");
    assertEquals(3, a.proxy.stats().refusedRoutes.sum());
    List<SipMessage> up = to(caller);
    assertEquals(List.of(403, 403, 403), statuses(up.subList(up.size() - 3, up.size())));
  }

  @Test
  void aGenuineTokenGoesWhereItWasSealedNotWhereTheRequestSays() {
    String[] routes = establish(a);
    // A party to the dialog rewrites the Request-URI to a victim and adds a Route after ours.
    a.receive(caller, fromCaller("INFO", "sip:x@203.0.113.66:5060", 2, routes[0], "z9hG4bKg1"));
    a.receive(
        caller,
        fromCaller(
            "INFO",
            "sip:bob@10.0.0.2:5060",
            3,
            routes[0] + ", <sip:203.0.113.66:5060;lr>",
            "z9hG4bKg2"));
    assertEquals(List.of(), to(victim));
    List<SipMessage> atCallee = to(callee);
    assertEquals("INFO", atCallee.get(atCallee.size() - 1).method());
    assertEquals("INFO", atCallee.get(atCallee.size() - 2).method());
  }

  @Test
  void aTokenOfOneDialogDoesNotOpenAnother() {
    String[] routes = establish(a);
    String other =
        fromCaller("BYE", "sip:x@203.0.113.66:5060", 2, routes[0], "z9hG4bKo1")
            .replace(CALL_ID, "another-dialog@192.0.2.1");
    a.receive(caller, other);
    assertEquals(List.of(), to(victim));
    assertEquals(403, last(caller).status());
  }

  @Test
  void strictRouterTricksNeverReachTheAddressTheyName() {
    String[] routes = establish(a);
    String ourUri = routes[0].substring(1, routes[0].length() - 1);
    // Section 16.4: our Record-Route URI as Request-URI, the "real" Request-URI last in Route.
    a.receive(caller, fromCaller("BYE", ourUri, 2, "<sip:x@203.0.113.66:5060>", "z9hG4bKs1"));
    SipMessage bye = last(callee);
    assertEquals("BYE", bye.method(), "the sealed hop, not the victim");
    assertEquals("sip:x@203.0.113.66:5060", bye.text(bye.uriStart(), bye.uriEnd()));
    // Without a token, our URI as Request-URI opens nothing.
    a.receive(
        caller,
        fromCaller("BYE", "sip:127.0.0.1:5060;lr", 3, "<sip:x@203.0.113.66:5060>", "z9hG4bKs2"));
    assertEquals(List.of(), to(victim));
  }

  @Test
  void aPreloadedRouteOnAnInitialRequestDoesNotDecide() {
    a.receive(
        caller,
        invite(
            "preloaded@192.0.2.1",
            "Route: <sip:127.0.0.1:5060;lr>, <sip:203.0.113.66:5060;lr>\r\n"));
    assertEquals(List.of(), to(victim));
    SipMessage inv = last(callee);
    assertEquals("INVITE", inv.method(), "routing chose the callee");
    assertEquals(List.of(), values(inv, HeaderName.ROUTE), "no Route names the victim");
  }

  @Test
  void aRuleMayAcceptInDialogRequestsWithoutOurRoute() {
    // The rule for "legacy" users has allowInDialog: a peer that drops Record-Route.
    a.receive(caller, fromCaller("BYE", "sip:legacy1@sbc.example.com", 2, null, "z9hG4bKl1"));
    assertEquals("BYE", last(new InetSocketAddress("10.0.0.9", 5060)).method());
  }

  static List<Integer> statuses(List<SipMessage> ms) {
    List<Integer> r = new ArrayList<>();
    for (SipMessage m : ms) {
      if (m.isResponse()) {
        r.add(m.status());
      }
    }
    return r;
  }
}
