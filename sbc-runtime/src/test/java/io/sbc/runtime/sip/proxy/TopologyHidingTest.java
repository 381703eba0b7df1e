package io.sbc.runtime.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
 * Topology hiding with the gateway's real configuration and two replicas sharing the key: neither
 * side ever sees an address of the other (Via, Record-Route, Route, Contact, Call-ID, From and To
 * hosts), and every in-dialog request and response is restored from the tokens alone, through
 * either replica. A NATed caller is reached where its packets come from.
 */
class TopologyHidingTest {
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
            advertisedAddress: sbc.example.net
        domains: [sbc.example.net]
        sealing:
          secret: "a secret of the edge gateway"
        topologyHiding: {enabled: true, callId: true, fromToHost: true}
        nat: {detect: [ViaMismatch]}
      ---
      apiVersion: sbc.io/v1alpha1
      kind: SipRoute
      metadata:
        name: to-core
      spec:
        parentRefs: [{name: edge}]
        rules:
          - allowRelay: true
            backendRefs: [{uri: "sip:10.0.0.2:5060"}]
      """;

  final ManualClock clock = new ManualClock(0);
  final Loop loop = new Loop(0, null, null, clock);
  final List<Sent> sent = new ArrayList<>();

  /** The caller (an access side: 192.0.2.x) and the callee (a core side: 10.0.0.x). */
  final InetSocketAddress caller = new InetSocketAddress("192.0.2.1", 5062);

  final InetSocketAddress callee = new InetSocketAddress("10.0.0.2", 5060);

  final Replica a = new Replica(CONFIG);
  final Replica b = new Replica(CONFIG);

  record Sent(Flow flow, byte[] data) {
    SipMessage decode() {
      SipMessage m = DECODER.decode(data, data.length, false);
      assertNull(m.error(), () -> "must parse: " + m.error() + "\n" + m);
      return m;
    }

    String text() {
      return new String(data, StandardCharsets.ISO_8859_1);
    }
  }

  final class Replica {
    final GatewayConfig config;
    final Proxy proxy;
    final Listener udp;

    Replica(String yaml) {
      try {
        config = GatewayConfig.load("edge.yaml", yaml, null);
        udp = config.listeners().get(0);
        MessageSender sender = (l, flow, data, onFailure) -> sent.add(new Sent(flow, data));
        TransactionLayer tl = new TransactionLayer(sender, config.timers());
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
        throw new AssertionError(String.join("\n", e.errors()), e);
      }
    }

    void receive(InetSocketAddress from, String message) {
      proxy.receive(loop, new Flow(udp, from, null), message.getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  List<Sent> to(InetSocketAddress addr) {
    List<Sent> r = new ArrayList<>();
    for (Sent s : sent) {
      if (s.flow().remote().equals(addr)) {
        r.add(s);
      }
    }
    return r;
  }

  SipMessage last(InetSocketAddress addr) {
    List<Sent> r = to(addr);
    assertFalse(r.isEmpty(), "nothing sent to " + addr);
    return r.get(r.size() - 1).decode();
  }

  static String value(SipMessage m, byte code) {
    int h = m.findHeader(code);
    return h < 0 ? null : m.text(m.headerValueStart(h), m.headerValueEnd(h));
  }

  static String uriOf(String nameAddr) {
    int lt = nameAddr.indexOf('<');
    return nameAddr.substring(lt + 1, nameAddr.indexOf('>', lt));
  }

  static final String CALL_ID = "hidden-1@192.0.2.1";

  static String invite(String contactHost) {
    return "INVITE sip:bob@core.example.com SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bKinv1;rport\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.77:5060;branch=z9hG4bKupstream\r\n"
        + "Record-Route: <sip:192.0.2.77;lr>\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:alice@access.example.com>;tag=alice1\r\n"
        + "To: <sip:bob@core.example.com>\r\n"
        + "Call-ID: "
        + CALL_ID
        + "\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:alice@"
        + contactHost
        + ":5062>\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  /** A response of the callee to what it received: Vias, From, To with tag, Call-ID, CSeq, RR. */
  static String response(SipMessage req, int status, String extra) {
    StringBuilder sb = new StringBuilder("SIP/2.0 " + status + " Whatever\r\n");
    for (int i = 0; i < req.headerCount(); i++) {
      byte c = req.headerCode(i);
      if (c == HeaderName.VIA
          || c == HeaderName.RECORD_ROUTE
          || c == HeaderName.FROM
          || c == HeaderName.CALL_ID
          || c == HeaderName.CSEQ) {
        sb.append(req.text(req.headerLineStart(i), req.headerLineEnd(i)));
      } else if (c == HeaderName.TO) {
        String to = req.text(req.headerValueStart(i), req.headerValueEnd(i));
        sb.append("To: ").append(to).append(to.contains("tag=") ? "" : ";tag=bob1").append("\r\n");
      }
    }
    return sb.append(extra).append("Content-Length: 0\r\n\r\n").toString();
  }

  /** A request within the dialog: Request-URI, Route set, and the sender's view of the dialog. */
  static String inDialog(
      String method,
      String ruri,
      String route,
      String via,
      String from,
      String to,
      String callId,
      int cseq,
      String contact) {
    return method
        + " "
        + ruri
        + " SIP/2.0\r\n"
        + "Via: "
        + via
        + "\r\n"
        + (route == null ? "" : "Route: " + route + "\r\n")
        + "Max-Forwards: 70\r\n"
        + "From: "
        + from
        + "\r\nTo: "
        + to
        + "\r\nCall-ID: "
        + callId
        + "\r\nCSeq: "
        + cseq
        + " "
        + method
        + "\r\n"
        + (contact == null ? "" : "Contact: " + contact + "\r\n")
        + "Content-Length: 0\r\n\r\n";
  }

  /** Nothing the callee received names the caller's side, and the other way round. */
  void assertNoLeak() {
    for (Sent s : to(callee)) {
      for (String addr : List.of("192.0.2.1", "192.0.2.77", "access.example.com", CALL_ID)) {
        assertFalse(s.text().contains(addr), "the callee saw " + addr + ":\n" + s.text());
      }
    }
    for (Sent s : to(caller)) {
      // (core.example.com is the caller's own choice of Request-URI and To: no leak.)
      for (String addr : List.of("10.0.0.2", "10.0.0.3", "10.0.0.5", "10.0.0.99")) {
        assertFalse(s.text().contains(addr), "the caller saw " + addr + ":\n" + s.text());
      }
    }
  }

  @Test
  void aHiddenCallEndToEndThroughTwoReplicasLeaksNothing() {
    a.receive(caller, invite("192.0.2.1"));
    SipMessage inv = last(callee);
    assertEquals(1, inv.vias().size(), "only our Via");
    assertEquals("sbc.example.net", inv.topVia().host());
    String rr = value(inv, HeaderName.RECORD_ROUTE);
    assertTrue(rr.startsWith("<sip:sbc.example.net:5060;lr;h="), rr);
    String calleeSideCallId = value(inv, HeaderName.CALL_ID);
    assertFalse(calleeSideCallId.equals(CALL_ID));
    assertTrue(value(inv, HeaderName.FROM).contains("@sbc.example.net>;tag=alice1"));
    String contactForCallee = uriOf(value(inv, HeaderName.CONTACT));
    assertTrue(contactForCallee.endsWith("@sbc.example.net:5060"), contactForCallee);

    // The callee answers, behind a proxy of its own (10.0.0.99) that record-routed too.
    String ok =
        response(inv, 200, "Contact: <sip:bob@10.0.0.2:5060>\r\n")
            .replace("Record-Route: ", "Record-Route: <sip:10.0.0.99;lr>, ");
    a.receive(callee, ok);
    SipMessage okUp = last(caller);
    assertEquals(200, okUp.status());
    assertEquals(2, okUp.vias().size(), "the caller's Vias are back");
    assertEquals("z9hG4bKinv1", okUp.topVia().branch());
    assertEquals(CALL_ID, value(okUp, HeaderName.CALL_ID));
    assertEquals("<sip:alice@access.example.com>;tag=alice1", value(okUp, HeaderName.FROM));
    assertEquals("<sip:bob@core.example.com>;tag=bob1", value(okUp, HeaderName.TO));
    String rrUp = value(okUp, HeaderName.RECORD_ROUTE);
    assertTrue(rrUp.startsWith("<sip:sbc.example.net:5060;lr;h="), "one value, ours: " + rrUp);
    String contactForCaller = uriOf(value(okUp, HeaderName.CONTACT));

    // The caller's ACK and BYE through replica B: restored towards the callee's proxy and Contact.
    String callerFrom = "<sip:alice@access.example.com>;tag=alice1";
    String callerTo = "<sip:bob@core.example.com>;tag=bob1";
    b.receive(
        caller,
        inDialog(
            "ACK",
            contactForCaller,
            rrUp,
            "SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bKack1",
            callerFrom,
            callerTo,
            CALL_ID,
            1,
            null));
    List<Sent> toProxy = to(new InetSocketAddress("10.0.0.99", 5060));
    assertEquals(
        1,
        toProxy.size(),
        () ->
            "the ACK goes to the callee's proxy, the first of its route set; sent last:\n"
                + sent.get(sent.size() - 1).flow().remote()
                + "\n"
                + sent.get(sent.size() - 1).text()
                + "\nRR "
                + rrUp
                + "\ndropped "
                + b.proxy.stats().dropped()
                + " refused "
                + b.proxy.stats().refusedRoutes.sum()
                + " failures "
                + b.proxy.stats().stageFailures.sum());
    SipMessage ack = toProxy.get(0).decode();
    assertEquals("sip:bob@10.0.0.2:5060", ack.text(ack.uriStart(), ack.uriEnd()));
    assertEquals("<sip:10.0.0.99;lr>", value(ack, HeaderName.ROUTE));
    assertEquals(calleeSideCallId, value(ack, HeaderName.CALL_ID));
    assertEquals(1, ack.vias().size());

    // The callee's BYE (through its proxy, which removed its own Route value) via replica B.
    String calleeFrom = "<sip:bob@sbc.example.net>;tag=bob1";
    String calleeTo = value(inv, HeaderName.FROM);
    b.receive(
        new InetSocketAddress("10.0.0.99", 5060),
        inDialog(
            "BYE",
            contactForCallee,
            rr,
            "SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKbye1",
            calleeFrom,
            calleeTo,
            calleeSideCallId,
            2,
            null));
    List<Sent> atUpstreamProxy = to(new InetSocketAddress("192.0.2.77", 5060));
    assertEquals(1, atUpstreamProxy.size(), "towards the caller's proxy, its route set");
    SipMessage bye = atUpstreamProxy.get(0).decode();
    assertEquals("sip:alice@192.0.2.1:5062", bye.text(bye.uriStart(), bye.uriEnd()));
    assertEquals("<sip:192.0.2.77;lr>", value(bye, HeaderName.ROUTE));
    assertEquals(CALL_ID, value(bye, HeaderName.CALL_ID));
    // The caller answers; its 200 goes back to the callee side restored.
    b.receive(new InetSocketAddress("192.0.2.77", 5060), response(bye, 200, ""));
    SipMessage byeOk = last(new InetSocketAddress("10.0.0.99", 5060));
    assertEquals(200, byeOk.status());
    assertEquals(calleeSideCallId, value(byeOk, HeaderName.CALL_ID));
    assertEquals("z9hG4bKbye1", byeOk.topVia().branch());
    assertNoLeak();
  }

  /** The length of the value of parameter {@code name} in {@code text}, or 0. */
  static int paramLength(String text, String name) {
    int i = text.indexOf(";" + name + "=");
    if (i < 0) {
      return 0;
    }
    int from = i + name.length() + 2;
    int to = from;
    while (to < text.length() && ";>,\r\n ".indexOf(text.charAt(to)) < 0) {
      to++;
    }
    return to - from;
  }

  /**
   * What hiding adds to a call's INVITE (as the callee gets it) and to its 200 (as the caller gets
   * it), against the same call through the same SBC without hiding: the tokens must stay short
   * enough that an INVITE with SDP still fits a UDP datagram under the path MTU (RFC 3261 18.1.1).
   */
  @Test
  void theTokensAddLittleToAnInviteAndIts200() {
    int[] hidden = inviteAnd200Sizes(a);
    String inviteText = to(callee).get(to(callee).size() - 1).text();
    String okText = to(caller).get(to(caller).size() - 1).text();
    sent.clear();
    Replica plain =
        new Replica(
            CONFIG.replace(
                "topologyHiding: {enabled: true, callId: true, fromToHost: true}",
                "topologyHiding: {enabled: false}"));
    int[] clear = inviteAnd200Sizes(plain);
    int inviteGrowth = hidden[0] - clear[0];
    int okGrowth = hidden[1] - clear[1];
    SipMessage inv =
        DECODER.decode(
            inviteText.getBytes(StandardCharsets.ISO_8859_1), inviteText.length(), false);
    String contact = uriOf(value(inv, HeaderName.CONTACT));
    System.out.printf(
        "token sizes: INVITE %d -> %d bytes (%+d), 200 %d -> %d bytes (%+d);"
            + " Via h= %d, Record-Route h= %d, Contact user %d, Call-ID %d characters%n",
        clear[0],
        hidden[0],
        inviteGrowth,
        clear[1],
        hidden[1],
        okGrowth,
        paramLength(inviteText, "h"),
        paramLength(value(inv, HeaderName.RECORD_ROUTE), "h"),
        contact.indexOf('@') - "sip:".length(),
        value(inv, HeaderName.CALL_ID).length());
    // Hiding also removes what it hides (the caller's second Via, its proxy's Record-Route), so
    // these are net figures for a caller behind one proxy.
    assertTrue(inviteGrowth < 400, "the INVITE grew by " + inviteGrowth + ":\n" + inviteText);
    assertTrue(okGrowth < 250, "the 200 grew by " + okGrowth + ":\n" + okText);
  }

  /** Sizes of the INVITE the callee gets and of the 200 the caller gets, through {@code r}. */
  int[] inviteAnd200Sizes(Replica r) {
    r.receive(caller, invite("192.0.2.1"));
    List<Sent> atCallee = to(callee);
    SipMessage inv = atCallee.get(atCallee.size() - 1).decode();
    int inviteSize = atCallee.get(atCallee.size() - 1).data().length;
    r.receive(callee, response(inv, 200, "Contact: <sip:bob@10.0.0.2:5060>\r\n"));
    List<Sent> atCaller = to(caller);
    Sent ok = atCaller.get(atCaller.size() - 1);
    assertEquals(200, ok.decode().status());
    return new int[] {inviteSize, ok.data().length};
  }

  @Test
  void aTargetRefreshAndATamperedTokenAndA3xx() {
    a.receive(caller, invite("192.0.2.1"));
    SipMessage inv = last(callee);
    a.receive(callee, response(inv, 200, "Contact: <sip:bob@10.0.0.2:5060>\r\n"));
    SipMessage okUp = last(caller);
    String rrUp = value(okUp, HeaderName.RECORD_ROUTE);
    String callerFrom = "<sip:alice@access.example.com>;tag=alice1";
    String callerTo = "<sip:bob@core.example.com>;tag=bob1";
    String rr = value(inv, HeaderName.RECORD_ROUTE);
    String calleeSideCallId = value(inv, HeaderName.CALL_ID);
    // The callee re-INVITEs with a new Contact (a target refresh): the caller gets a new token.
    a.receive(
        callee,
        inDialog(
            "INVITE",
            uriOf(value(inv, HeaderName.CONTACT)),
            rr,
            "SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKre1",
            "<sip:bob@sbc.example.net>;tag=bob1",
            value(inv, HeaderName.FROM),
            calleeSideCallId,
            2,
            "<sip:bob@10.0.0.3:5070>"));
    // To the caller's proxy: the first of the caller's route set.
    SipMessage reinvite = last(new InetSocketAddress("192.0.2.77", 5060));
    assertEquals(
        "INVITE",
        reinvite.method(),
        () ->
            "last sent:\n"
                + sent.get(sent.size() - 1).flow().remote()
                + "\n"
                + sent.get(sent.size() - 1).text());
    String refreshed = uriOf(value(reinvite, HeaderName.CONTACT));
    assertTrue(refreshed.endsWith("@sbc.example.net:5060"), refreshed);
    // The caller's next request uses it: it reaches the callee's new Contact.
    b.receive(
        caller,
        inDialog(
            "INFO",
            refreshed,
            rrUp,
            "SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bKinfo1",
            callerFrom,
            callerTo,
            CALL_ID,
            3,
            null));
    SipMessage info = last(new InetSocketAddress("10.0.0.3", 5070));
    assertEquals("sip:bob@10.0.0.3:5070", info.text(info.uriStart(), info.uriEnd()));
    // A tampered Request-URI token is refused and reaches nobody.
    int before = sent.size();
    String tampered =
        refreshed.replaceFirst("^sip:(.)", "sip:" + (refreshed.charAt(4) == 'A' ? 'B' : 'A'));
    b.receive(
        caller,
        inDialog(
            "INFO",
            tampered,
            rrUp,
            "SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bKinfo2",
            callerFrom,
            callerTo,
            CALL_ID,
            4,
            null));
    assertEquals(before + 1, sent.size(), "only the answer");
    assertEquals(403, last(caller).status());
    // A 3xx: its Contacts stay usable by the caller, hidden.
    a.receive(
        caller,
        invite("192.0.2.1")
            .replace(CALL_ID, "second@192.0.2.1")
            .replace("z9hG4bKinv1", "z9hG4bKinv2"));
    SipMessage inv2 = last(callee);
    a.receive(callee, response(inv2, 302, "Contact: <sip:carol@10.0.0.5:5080>\r\n"));
    SipMessage moved = last(caller);
    assertEquals(302, moved.status());
    String hiddenCarol = uriOf(value(moved, HeaderName.CONTACT));
    assertTrue(hiddenCarol.endsWith("@sbc.example.net:5060"), hiddenCarol);
    b.receive(
        caller,
        invite("192.0.2.1")
            .replace("INVITE sip:bob@core.example.com", "INVITE " + hiddenCarol)
            .replace(CALL_ID, "third@192.0.2.1")
            .replace("z9hG4bKinv1", "z9hG4bKinv3"));
    SipMessage toCarol = last(new InetSocketAddress("10.0.0.5", 5080));
    assertEquals("INVITE", toCarol.method());
    assertEquals("sip:carol@10.0.0.5:5080", toCarol.text(toCarol.uriStart(), toCarol.uriEnd()));
    assertNoLeak();
  }

  @Test
  void aNatedCallerIsReachedWhereItsPacketsComeFrom() {
    // Contact and Via say 192.168.1.10; the packets come from 192.0.2.1:5062.
    a.receive(
        caller,
        invite("192.168.1.10").replace("192.0.2.1:5062;branch", "192.168.1.10:5062;branch"));
    SipMessage inv = last(callee);
    a.receive(callee, response(inv, 200, "Contact: <sip:bob@10.0.0.2:5060>\r\n"));
    b.receive(
        callee,
        inDialog(
            "BYE",
            uriOf(value(inv, HeaderName.CONTACT)),
            value(inv, HeaderName.RECORD_ROUTE),
            "SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKbye9",
            "<sip:bob@sbc.example.net>;tag=bob1",
            value(inv, HeaderName.FROM),
            value(inv, HeaderName.CALL_ID),
            2,
            null));
    // The caller's proxy (192.0.2.77) is first in its route set: there it goes; without one the
    // NAT source would be the hop.
    SipMessage bye = last(new InetSocketAddress("192.0.2.77", 5060));
    assertEquals("BYE", bye.method());
    assertEquals("sip:alice@192.168.1.10:5062", bye.text(bye.uriStart(), bye.uriEnd()));
  }

  @Test
  void aNatedCallerWithoutAProxyGetsItsInDialogRequestsAtItsSource() {
    String inviteNoProxy =
        invite("192.168.1.10")
            .replace("192.0.2.1:5062;branch", "192.168.1.10:5062;branch")
            .replace("Via: SIP/2.0/UDP 192.0.2.77:5060;branch=z9hG4bKupstream\r\n", "")
            .replace("Record-Route: <sip:192.0.2.77;lr>\r\n", "");
    a.receive(caller, inviteNoProxy);
    SipMessage inv = last(callee);
    a.receive(callee, response(inv, 200, "Contact: <sip:bob@10.0.0.2:5060>\r\n"));
    assertNotNull(last(caller));
    b.receive(
        callee,
        inDialog(
            "BYE",
            uriOf(value(inv, HeaderName.CONTACT)),
            value(inv, HeaderName.RECORD_ROUTE),
            "SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKbye8",
            "<sip:bob@sbc.example.net>;tag=bob1",
            value(inv, HeaderName.FROM),
            value(inv, HeaderName.CALL_ID),
            2,
            null));
    SipMessage bye = last(caller);
    assertEquals(
        "BYE", bye.method(), "sent to 192.0.2.1:5062, where the caller's packets came from");
    assertEquals("sip:alice@192.168.1.10:5062", bye.text(bye.uriStart(), bye.uriEnd()));
  }

  @Test
  void withoutHidingANatedCallerIsStillReachedAtItsSource() {
    String plain =
        CONFIG.replace(
            "topologyHiding: {enabled: true, callId: true, fromToHost: true}",
            "topologyHiding: {enabled: false}");
    Replica p1 = new Replica(plain);
    Replica p2 = new Replica(plain);
    String inviteNoProxy =
        invite("192.168.1.10")
            .replace("192.0.2.1:5062;branch", "192.168.1.10:5062;branch")
            .replace("Via: SIP/2.0/UDP 192.0.2.77:5060;branch=z9hG4bKupstream\r\n", "")
            .replace("Record-Route: <sip:192.0.2.77;lr>\r\n", "");
    p1.receive(caller, inviteNoProxy);
    SipMessage inv = last(callee);
    assertEquals(CALL_ID, value(inv, HeaderName.CALL_ID), "nothing hidden");
    p1.receive(callee, response(inv, 200, "Contact: <sip:bob@10.0.0.2:5060>\r\n"));
    p2.receive(
        callee,
        inDialog(
            "BYE",
            "sip:alice@192.168.1.10:5062",
            value(inv, HeaderName.RECORD_ROUTE),
            "SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKbye7",
            "<sip:bob@core.example.com>;tag=bob1",
            "<sip:alice@access.example.com>;tag=alice1",
            CALL_ID,
            2,
            null));
    SipMessage bye = last(caller);
    assertEquals("BYE", bye.method(), "at 192.0.2.1:5062, the caller's source, not 192.168.1.10");
    assertEquals("sip:alice@192.168.1.10:5062", bye.text(bye.uriStart(), bye.uriEnd()));
  }
}
