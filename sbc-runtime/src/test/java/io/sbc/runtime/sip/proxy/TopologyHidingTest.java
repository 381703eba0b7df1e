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
      for (String addr : List.of("10.0.0.2", "10.0.0.3", "10.0.0.5", "10.0.0.98", "10.0.0.99")) {
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

  final InetSocketAddress callee2 = new InetSocketAddress("10.0.0.3", 5060);

  /** The gateway with a rule forking every call to two callees at once. */
  static final String FORKING =
      CONFIG.replace(
          "    - allowRelay: true\n      backendRefs: [{uri: \"sip:10.0.0.2:5060\"}]",
          "    - allowRelay: true\n      forking: parallel\n"
              + "      backendRefs: [{uri: \"sip:10.0.0.2:5060\"}, {uri: \"sip:10.0.0.3:5060\"}]");

  @Test
  void aForkedCallShowsTheCallerOneHiddenPartyPerBranch() {
    assertTrue(FORKING.contains("forking: parallel"), "the fixture changed: " + FORKING);
    Replica f = new Replica(FORKING);
    f.receive(caller, invite("192.0.2.1"));
    SipMessage inv1 = last(callee);
    SipMessage inv2 = last(callee2);
    // Both ring, from different Contacts, each behind a proxy of its own; then both answer.
    f.receive(
        callee,
        response(inv1, 180, "Contact: <sip:bob@10.0.0.2:5060>\r\n")
            .replace("Record-Route: ", "Record-Route: <sip:10.0.0.98;lr>, ")
            .replace("tag=bob1", "tag=b1"));
    f.receive(
        callee2,
        response(inv2, 180, "Contact: <sip:bob@10.0.0.3:5060>\r\n")
            .replace("Record-Route: ", "Record-Route: <sip:10.0.0.99;lr>, ")
            .replace("tag=bob1", "tag=b2"));
    f.receive(
        callee,
        response(inv1, 200, "Contact: <sip:bob@10.0.0.2:5060>\r\n")
            .replace("Record-Route: ", "Record-Route: <sip:10.0.0.98;lr>, ")
            .replace("tag=bob1", "tag=b1"));
    f.receive(
        callee2,
        response(inv2, 200, "Contact: <sip:bob@10.0.0.3:5060>\r\n")
            .replace("Record-Route: ", "Record-Route: <sip:10.0.0.99;lr>, ")
            .replace("tag=bob1", "tag=b2"));
    List<SipMessage> up = new ArrayList<>();
    for (Sent s : to(caller)) {
      SipMessage m = s.decode();
      if (m.isResponse() && m.status() > 100) {
        up.add(m);
      }
    }
    assertEquals(
        List.of(180, 180, 200, 200), up.stream().map(SipMessage::status).toList(), "all four");
    List<String> contacts = new ArrayList<>();
    for (SipMessage m : up) {
      assertEquals(CALL_ID, value(m, HeaderName.CALL_ID));
      assertEquals("z9hG4bKinv1", m.topVia().branch());
      String rrUp = value(m, HeaderName.RECORD_ROUTE);
      assertTrue(rrUp.startsWith("<sip:sbc.example.net:5060;lr;h=") && !rrUp.contains(","), rrUp);
      contacts.add(uriOf(value(m, HeaderName.CONTACT)));
    }
    // The caller ACKs each 200 at its own hidden Contact, along its own hidden route set.
    for (int i = 2; i < 4; i++) {
      SipMessage ok = up.get(i);
      f.receive(
          caller,
          inDialog(
              "ACK",
              contacts.get(i),
              value(ok, HeaderName.RECORD_ROUTE),
              "SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bKack" + i,
              "<sip:alice@access.example.com>;tag=alice1",
              value(ok, HeaderName.TO),
              CALL_ID,
              1,
              null));
    }
    SipMessage ack1 = last(new InetSocketAddress("10.0.0.98", 5060));
    SipMessage ack2 = last(new InetSocketAddress("10.0.0.99", 5060));
    assertEquals("sip:bob@10.0.0.2:5060", ack1.text(ack1.uriStart(), ack1.uriEnd()));
    assertEquals("sip:bob@10.0.0.3:5060", ack2.text(ack2.uriStart(), ack2.uriEnd()));
    assertTrue(value(ack1, HeaderName.TO).contains("tag=b1"));
    assertTrue(value(ack2, HeaderName.TO).contains("tag=b2"));
    assertNoLeak();
  }

  @Test
  void aCancelledCallStaysHidden() {
    a.receive(caller, invite("192.0.2.1"));
    SipMessage inv = last(callee);
    a.receive(callee, response(inv, 180, "Contact: <sip:bob@10.0.0.2:5060>\r\n"));
    a.receive(
        caller,
        invite("192.0.2.1")
            .replace("INVITE sip:bob@core.example.com", "CANCEL sip:bob@core.example.com")
            .replace("CSeq: 1 INVITE", "CSeq: 1 CANCEL")
            .replace("Record-Route: <sip:192.0.2.77;lr>\r\n", "")
            .replaceAll("Contact: [^\r]*\r\n", ""));
    SipMessage cancel = last(callee);
    assertEquals("CANCEL", cancel.method());
    assertEquals(1, cancel.vias().size(), "only our Via");
    assertEquals(inv.topVia().branch(), cancel.topVia().branch(), "the INVITE's branch");
    assertEquals(value(inv, HeaderName.CALL_ID), value(cancel, HeaderName.CALL_ID));
    assertEquals(value(inv, HeaderName.FROM), value(cancel, HeaderName.FROM));
    a.receive(callee, response(cancel, 200, ""));
    a.receive(callee, response(inv, 487, ""));
    List<Integer> up = new ArrayList<>();
    for (Sent s : to(caller)) {
      SipMessage m = s.decode();
      if (m.isResponse()) {
        up.add(m.status() * 10 + ("CANCEL".equals(m.cseqMethod()) ? 1 : 0));
        assertEquals(CALL_ID, value(m, HeaderName.CALL_ID));
        assertEquals("z9hG4bKinv1", m.topVia().branch());
      }
    }
    assertTrue(up.contains(2001), "the CANCEL answered: " + up);
    assertTrue(up.contains(4870), "the caller's 487: " + up);
    // The ACK of the 487 is the SBC's own, hop by hop (section 17.1.1.3): still hidden.
    SipMessage ack = last(callee);
    assertEquals("ACK", ack.method());
    assertEquals(1, ack.vias().size());
    assertNoLeak();
  }

  @Test
  void reliableProvisionalsAndUpdatesGoBothWays() {
    a.receive(
        caller,
        invite("192.0.2.1")
            .replace("CSeq: 1 INVITE\r\n", "CSeq: 1 INVITE\r\nSupported: 100rel\r\n"));
    SipMessage inv = last(callee);
    a.receive(
        callee,
        response(inv, 183, "Contact: <sip:bob@10.0.0.2:5060>\r\nRequire: 100rel\r\nRSeq: 1\r\n"));
    SipMessage early = last(caller);
    assertEquals(183, early.status());
    String contactUp = uriOf(value(early, HeaderName.CONTACT));
    String rrUp = value(early, HeaderName.RECORD_ROUTE);
    String calleeTo = value(early, HeaderName.TO);
    // PRACK from the caller (early dialog), through the other replica.
    b.receive(
        caller,
        inDialog(
                "PRACK",
                contactUp,
                rrUp,
                "SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bKprack1",
                "<sip:alice@access.example.com>;tag=alice1",
                calleeTo,
                CALL_ID,
                2,
                null)
            .replace("Content-Length: 0", "RAck: 1 1 INVITE\r\nContent-Length: 0"));
    SipMessage prack = last(callee);
    assertEquals("PRACK", prack.method());
    assertEquals("sip:bob@10.0.0.2:5060", prack.text(prack.uriStart(), prack.uriEnd()));
    assertEquals(value(inv, HeaderName.CALL_ID), value(prack, HeaderName.CALL_ID));
    b.receive(callee, response(prack, 200, ""));
    SipMessage prackOk = last(caller);
    assertEquals(200, prackOk.status());
    assertEquals("PRACK", prackOk.cseqMethod());
    assertEquals("z9hG4bKprack1", prackOk.topVia().branch());
    // UPDATE from the callee towards the caller, through replica A.
    a.receive(
        callee,
        inDialog(
            "UPDATE",
            uriOf(value(inv, HeaderName.CONTACT)),
            value(inv, HeaderName.RECORD_ROUTE),
            "SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKupd1",
            "<sip:bob@sbc.example.net>;tag=bob1",
            value(inv, HeaderName.FROM),
            value(inv, HeaderName.CALL_ID),
            1,
            "<sip:bob@10.0.0.2:5060>"));
    SipMessage update = last(new InetSocketAddress("192.0.2.77", 5060));
    assertEquals("UPDATE", update.method());
    assertEquals("sip:alice@192.0.2.1:5062", update.text(update.uriStart(), update.uriEnd()));
    assertEquals(CALL_ID, value(update, HeaderName.CALL_ID));
    assertEquals(1, update.vias().size());
    assertNoLeak();
  }

  @Test
  void aSubscriptionsNotifiesReachTheSubscriberHidden() {
    a.receive(
        caller,
        invite("192.0.2.1")
            .replace("INVITE sip:bob@core.example.com", "SUBSCRIBE sip:bob@core.example.com")
            .replace("CSeq: 1 INVITE", "CSeq: 1 SUBSCRIBE\r\nEvent: presence\r\nExpires: 600"));
    SipMessage sub = last(callee);
    assertEquals("SUBSCRIBE", sub.method());
    a.receive(callee, response(sub, 202, "Contact: <sip:bob@10.0.0.2:5060>\r\nExpires: 600\r\n"));
    SipMessage accepted = last(caller);
    assertEquals(202, accepted.status());
    // The notifier's NOTIFY, through the other replica, at the subscriber's hidden Contact.
    b.receive(
        callee,
        inDialog(
                "NOTIFY",
                uriOf(value(sub, HeaderName.CONTACT)),
                value(sub, HeaderName.RECORD_ROUTE),
                "SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKnot1",
                "<sip:bob@sbc.example.net>;tag=bob1",
                value(sub, HeaderName.FROM),
                value(sub, HeaderName.CALL_ID),
                1,
                "<sip:bob@10.0.0.2:5060>")
            .replace(
                "Content-Length: 0",
                "Event: presence\r\nSubscription-State: active;expires=600\r\nContent-Length: 0"));
    SipMessage notify = last(new InetSocketAddress("192.0.2.77", 5060));
    assertEquals("NOTIFY", notify.method());
    assertEquals("sip:alice@192.0.2.1:5062", notify.text(notify.uriStart(), notify.uriEnd()));
    assertEquals(CALL_ID, value(notify, HeaderName.CALL_ID));
    String notifierContact = uriOf(value(notify, HeaderName.CONTACT));
    assertTrue(notifierContact.endsWith("@sbc.example.net:5060"), notifierContact);
    b.receive(new InetSocketAddress("192.0.2.77", 5060), response(notify, 200, ""));
    SipMessage notifyOk = last(callee);
    assertEquals(200, notifyOk.status());
    assertEquals("z9hG4bKnot1", notifyOk.topVia().branch());
    assertEquals(value(sub, HeaderName.CALL_ID), value(notifyOk, HeaderName.CALL_ID));
    assertNoLeak();
  }

  @Test
  void outOfDialogMessageAndOptionsAreHiddenToo() {
    for (String method : List.of("MESSAGE", "OPTIONS")) {
      String req =
          invite("192.0.2.1")
              .replace("INVITE sip:bob@core.example.com", method + " sip:bob@core.example.com")
              .replace("CSeq: 1 INVITE", "CSeq: 1 " + method)
              .replace(CALL_ID, method + "-" + CALL_ID)
              .replace("z9hG4bKinv1", "z9hG4bK" + method)
              .replace("Record-Route: <sip:192.0.2.77;lr>\r\n", "");
      a.receive(caller, req);
      SipMessage out = last(callee);
      assertEquals(method, out.method());
      assertEquals(1, out.vias().size(), "only our Via");
      assertFalse(value(out, HeaderName.CALL_ID).contains("192.0.2.1"));
      a.receive(callee, response(out, 200, "Contact: <sip:bob@10.0.0.2:5060>\r\n"));
      SipMessage ok = last(caller);
      assertEquals(200, ok.status());
      assertEquals(method, ok.cseqMethod());
      assertEquals("z9hG4bK" + method, ok.topVia().branch());
      assertEquals(2, ok.vias().size());
      assertEquals(method + "-" + CALL_ID, value(ok, HeaderName.CALL_ID));
    }
    assertNoLeak();
  }

  @Test
  void aRuleMayTurnTheGatewaysHidingOff() {
    String yaml =
        CONFIG.replace(
            "    - allowRelay: true\n",
            "    - allowRelay: true\n      topologyHiding: {enabled: false}\n");
    assertTrue(yaml.contains("enabled: false}"), "the fixture changed: " + yaml);
    Replica r = new Replica(yaml);
    r.receive(caller, invite("192.0.2.1"));
    SipMessage inv = last(callee);
    assertEquals(CALL_ID, value(inv, HeaderName.CALL_ID), "the rule's setting wins");
    assertEquals(3, inv.vias().size(), "ours and the two the INVITE came with");
    assertTrue(value(inv, HeaderName.CONTACT).contains("192.0.2.1"));
  }

  @Test
  void aNatedCallerStaysReachableWhenTheRuleDoesNotRecordRoute() {
    String yaml =
        CONFIG
            .replace(
                "topologyHiding: {enabled: true, callId: true, fromToHost: true}",
                "topologyHiding: {enabled: false}")
            .replace(
                "    - allowRelay: true\n", "    - allowRelay: true\n      recordRoute: false\n");
    assertTrue(yaml.contains("recordRoute: false"), "the fixture changed: " + yaml);
    Replica r = new Replica(yaml);
    String natedNoProxy =
        invite("192.168.1.10")
            .replace("192.0.2.1:5062;branch", "192.168.1.10:5062;branch")
            .replace("Via: SIP/2.0/UDP 192.0.2.77:5060;branch=z9hG4bKupstream\r\n", "")
            .replace("Record-Route: <sip:192.0.2.77;lr>\r\n", "");
    r.receive(caller, natedNoProxy);
    SipMessage inv = last(callee);
    assertNotNull(value(inv, HeaderName.RECORD_ROUTE), "the SBC stays on a NATed caller's path");
    // A caller that is not behind NAT follows the rule: no Record-Route.
    r.receive(
        caller,
        invite("192.0.2.1")
            .replace(CALL_ID, "plain@192.0.2.1")
            .replace("z9hG4bKinv1", "z9hG4bKinv5")
            .replace("Via: SIP/2.0/UDP 192.0.2.77:5060;branch=z9hG4bKupstream\r\n", "")
            .replace("Record-Route: <sip:192.0.2.77;lr>\r\n", ""));
    assertNull(value(last(callee), HeaderName.RECORD_ROUTE), "the rule's recordRoute: false");
    r.receive(callee, response(inv, 200, "Contact: <sip:bob@10.0.0.2:5060>\r\n"));
    r.receive(
        callee,
        inDialog(
            "BYE",
            "sip:alice@192.168.1.10:5062",
            value(inv, HeaderName.RECORD_ROUTE),
            "SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKbye6",
            "<sip:bob@core.example.com>;tag=bob1",
            "<sip:alice@access.example.com>;tag=alice1",
            CALL_ID,
            2,
            null));
    SipMessage bye = last(caller);
    assertEquals("BYE", bye.method(), "at 192.0.2.1:5062, where the caller's packets came from");
  }
}
