package io.sbc.runtime.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.SbcStack;
import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Media anchoring through a running SBC (an {@link SbcStack} on real sockets) with a real
 * RTPengine: a caller on 127.0.0.2 and a callee on 127.0.0.3 written by the test, RTPengine
 * relaying on 127.0.0.6. Each side's SDP reaches the other naming only RTPengine (c= and o=), with
 * a Content-Length that matches; the call is in RTPengine's list while up and gone after the BYE,
 * after a 486 and after a CANCEL; a late offer (SDP in the 200 and the ACK) is anchored; without an
 * RTPengine the INVITE gets 503, or goes on untouched when the rule says Continue.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MediaAnchoringTest {
  static final String CALLER = "127.0.0.2";
  static final String CALLEE = "127.0.0.3";
  static final String MEDIA = "127.0.0.6";
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  private final List<AutoCloseable> opened = new ArrayList<>();
  private int sbcPort;

  @AfterEach
  void closeAll() {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception e) {
        // best effort
      }
    }
  }

  private <T extends AutoCloseable> T track(T t) {
    opened.add(t);
    return t;
  }

  /** A UA socket written by the test: sends text, receives messages. */
  final class Ua implements AutoCloseable {
    final DatagramSocket socket;
    final String host;

    Ua(String host) throws Exception {
      this.host = host;
      socket = new DatagramSocket(new InetSocketAddress(host, 0));
      socket.setSoTimeout(5000);
    }

    int port() {
      return socket.getLocalPort();
    }

    void send(String text, InetSocketAddress to) throws Exception {
      byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
      socket.send(new DatagramPacket(b, b.length, to));
    }

    void toSbc(String text) throws Exception {
      send(text, new InetSocketAddress("127.0.0.1", sbcPort));
    }

    /** The next message that matches (others, such as 100 Trying, are skipped). */
    Received await(Predicate<SipMessage> wanted, String what) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
      while (System.nanoTime() < deadline) {
        DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
        try {
          socket.receive(p);
        } catch (SocketTimeoutException e) {
          break;
        }
        byte[] b = java.util.Arrays.copyOf(p.getData(), p.getLength());
        SipMessage m = DECODER.decode(b, b.length, false);
        if (m != null && m.error() == null && wanted.test(m)) {
          return new Received(m, (InetSocketAddress) p.getSocketAddress());
        }
      }
      throw new AssertionError(host + " did not receive " + what);
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  record Received(SipMessage m, InetSocketAddress from) {
    /** A header's first value by name (known headers are found by their code). */
    String header(String name) {
      return headerOf(m, name);
    }

    String body() {
      return m.text(m.bodyStart(), m.bodyStart() + m.bodyLength());
    }
  }

  static String headerOf(SipMessage m, String name) {
    byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
    byte code = io.sbc.runtime.sip.message.HeaderName.lookup(n, 0, n.length);
    return code != io.sbc.runtime.sip.message.HeaderName.OTHER
        ? m.headerValue(code)
        : m.headerValue(name);
  }

  static Predicate<SipMessage> request(String method) {
    return m -> m.isRequest() && m.method().equals(method);
  }

  static Predicate<SipMessage> status(int code) {
    return m -> !m.isRequest() && m.status() == code;
  }

  static String sdp(String host, int port) {
    return "v=0\r\no=ua 1 1 IN IP4 "
        + host
        + "\r\ns=-\r\nc=IN IP4 "
        + host
        + "\r\nt=0 0\r\nm=audio "
        + port
        + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
  }

  /** Every c= and o= line names RTPengine, none names {@code hidden}; Content-Length is right. */
  static void assertAnchored(Received r, String hidden) {
    String body = r.body();
    assertTrue(body.startsWith("v=0"), "an SDP body: " + r.m());
    assertEquals(
        Integer.toString(body.getBytes(StandardCharsets.ISO_8859_1).length),
        headerOf(r.m(), "Content-Length").trim());
    int lines = 0;
    for (String line : body.split("\r\n")) {
      if (line.startsWith("c=") || line.startsWith("o=")) {
        lines++;
        assertTrue(line.endsWith("IN IP4 " + MEDIA), "not RTPengine's address: " + line);
      }
    }
    assertTrue(lines >= 2, body);
    assertFalse(body.contains(hidden), "the other side's address leaked: " + body);
  }

  private RtpEngineProcess startAll(String media) throws Exception {
    RtpEngineProcess rtpe = track(RtpEngineProcess.start(MEDIA));
    startSbc(media.replace("NG", rtpe.ng()));
    return rtpe;
  }

  private void startSbcWith(RtpEngineProcess rtpe) throws Exception {
    startSbc(MEDIA_EXTERNAL.replace("NG", rtpe.ng()));
  }

  private int calleePort;

  /** The stack started last. */
  private SbcStack lastStack;

  /** A second callee the rule forks to in parallel (0: none). */
  private int secondCalleePort;

  /** The rule's own media settings (YAML flow mapping), or null for the gateway's. */
  private String ruleMedia;

  private Ua caller;
  private Ua callee;

  private void startSbc(String media) throws Exception {
    caller = track(new Ua(CALLER));
    callee = track(new Ua(CALLEE));
    calleePort = callee.port();
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      sbcPort = probe.getLocalPort();
    }
    startStack("127.0.0.1", null, media);
  }

  /** One replica of the gateway on {@code address}:sbcPort (advertising {@code advertised}). */
  private void startStack(String address, String advertised, String media) throws Exception {
    String yaml =
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: media
        spec:
          listeners:
            - {name: udp, protocol: SIP-UDP, address: %s, port: %d%s}
          sealing: {secret: "the media test's shared secret"}
          topologyHiding: {enabled: true, callId: true}
        %s
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: to-callee
        spec:
          parentRefs: [{name: media}]
          rules:
            - allowRelay: true
              forking: %s
              backendRefs: [%s]
        %s"""
            .formatted(
                address,
                sbcPort,
                advertised == null ? "" : ", advertisedAddress: " + advertised,
                media.indent(2),
                secondCalleePort == 0 ? "serial" : "parallel",
                "{uri: \"sip:"
                    + CALLEE
                    + ":"
                    + calleePort
                    + "\"}"
                    + (secondCalleePort == 0
                        ? ""
                        : ", {uri: \"sip:" + CALLEE + ":" + secondCalleePort + "\"}"),
                ruleMedia == null ? "" : ("media: " + ruleMedia).indent(6));
    GatewayConfig cfg = GatewayConfig.load("media-test.yaml", yaml, null);
    EventLoops loops = track(new EventLoops(2));
    SbcStack stack = SbcStack.start(cfg, loops.vertx);
    track(stack::close);
    lastStack = stack;
  }

  static final String MEDIA_EXTERNAL =
      """
      media:
        mode: External
        instances: [{address: "NG"}]
        anchoring: {ice: Remove}
      """;

  private String invite(String callId, String branch, String body) {
    return "INVITE sip:bob@"
        + CALLEE
        + " SIP/2.0\r\nVia: SIP/2.0/UDP "
        + CALLER
        + ":"
        + caller.port()
        + ";branch="
        + branch
        + ";rport\r\nMax-Forwards: 70\r\nFrom: <sip:alice@"
        + CALLER
        + ">;tag=alice1\r\nTo: <sip:bob@"
        + CALLEE
        + ">\r\nCall-ID: "
        + callId
        + "\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@"
        + CALLER
        + ":"
        + caller.port()
        + ">\r\n"
        + (body == null
            ? "Content-Length: 0\r\n\r\n"
            : "Content-Type: application/sdp\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
  }

  /** The callee's response to the request it received: its tag, Contact and maybe an SDP. */
  private String response(Received req, int code, String reason, String body) {
    SipMessage m = req.m();
    StringBuilder sb = new StringBuilder("SIP/2.0 " + code + " " + reason + "\r\n");
    for (int i = 0; i < m.headerCount(); i++) {
      String line = m.text(m.headerLineStart(i), m.headerLineEnd(i));
      String lower = line.toLowerCase();
      if (lower.startsWith("via:")
          || lower.startsWith("from:")
          || lower.startsWith("call-id:")
          || lower.startsWith("cseq:")
          || lower.startsWith("record-route:")) {
        sb.append(line);
      } else if (lower.startsWith("to:")) {
        sb.append(line.contains(";tag=") ? line : line.replace("\r\n", ";tag=bob1\r\n"));
      }
    }
    sb.append("Contact: <sip:bob@").append(CALLEE).append(':').append(calleePort).append(">\r\n");
    if (body == null) {
      sb.append("Content-Length: 0\r\n\r\n");
    } else {
      sb.append("Content-Type: application/sdp\r\nContent-Length: ")
          .append(body.length())
          .append("\r\n\r\n")
          .append(body);
    }
    return sb.toString();
  }

  /** An in-dialog request of the caller along the route set the 200 gave it. */
  private String inDialog(String method, int cseq, Received ok, String branch, String body) {
    String contact = ok.header("Contact").trim();
    String target = contact.substring(contact.indexOf('<') + 1, contact.indexOf('>'));
    String rr = ok.header("Record-Route");
    return method
        + " "
        + target
        + " SIP/2.0\r\nVia: SIP/2.0/UDP "
        + CALLER
        + ":"
        + caller.port()
        + ";branch="
        + branch
        + ";rport\r\nMax-Forwards: 70\r\n"
        + (rr == null ? "" : "Route: " + rr.trim() + "\r\n")
        + "From: <sip:alice@"
        + CALLER
        + ">;tag=alice1\r\nTo: "
        + ok.header("To").trim()
        + "\r\nCall-ID: "
        + ok.header("Call-ID").trim()
        + "\r\nCSeq: "
        + cseq
        + " "
        + method
        + "\r\n"
        + (body == null
            ? "Content-Length: 0\r\n\r\n"
            : "Content-Type: application/sdp\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
  }

  private static void awaitGone(RtpEngineProcess rtpe, String callId) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (rtpe.sessions().contains(callId) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertFalse(rtpe.sessions().contains(callId), "RTPengine still holds " + callId);
  }

  private void bye(Received ok, String branch) throws Exception {
    caller.toSbc(inDialog("BYE", 2, ok, branch, null));
    Received bye = callee.await(request("BYE"), "the BYE");
    callee.send(response(bye, 200, "OK", null), bye.from());
    caller.await(status(200), "the BYE's 200");
  }

  @Test
  void eachSideSeesOnlyRtpEngineAndTheByeDeletesTheCall() throws Exception {
    RtpEngineProcess rtpe = startAll(MEDIA_EXTERNAL);
    String callId = "anchored-" + System.nanoTime() + "@" + CALLER;
    caller.toSbc(invite(callId, "z9hG4bK-a1", sdp(CALLER, 4000)));
    Received inv = callee.await(request("INVITE"), "the INVITE");
    assertAnchored(inv, CALLER);
    assertFalse(inv.m().callId().equals(callId), "topology hiding masks the Call-ID");
    assertTrue(
        rtpe.sessions().contains(callId), "RTPengine holds the call by its original Call-ID");
    callee.send(response(inv, 200, "OK", sdp(CALLEE, 5000)), inv.from());
    Received ok = caller.await(status(200), "the 200");
    assertAnchored(ok, CALLEE);
    caller.toSbc(inDialog("ACK", 1, ok, "z9hG4bK-a2", null));
    callee.await(request("ACK"), "the ACK");
    assertTrue(rtpe.sessions().contains(callId), "up while the call is");
    bye(ok, "z9hG4bK-a3");
    awaitGone(rtpe, callId);
  }

  @Test
  void aRejectedCallIsDeleted() throws Exception {
    RtpEngineProcess rtpe = startAll(MEDIA_EXTERNAL);
    String callId = "busy-" + System.nanoTime() + "@" + CALLER;
    caller.toSbc(invite(callId, "z9hG4bK-b1", sdp(CALLER, 4002)));
    Received inv = callee.await(request("INVITE"), "the INVITE");
    assertTrue(rtpe.sessions().contains(callId));
    callee.send(response(inv, 486, "Busy Here", null), inv.from());
    callee.await(request("ACK"), "the hop-by-hop ACK of the 486");
    caller.await(status(486), "the 486");
    awaitGone(rtpe, callId);
  }

  @Test
  void aCancelledCallIsDeleted() throws Exception {
    RtpEngineProcess rtpe = startAll(MEDIA_EXTERNAL);
    String callId = "cancel-" + System.nanoTime() + "@" + CALLER;
    String invite = invite(callId, "z9hG4bK-c1", sdp(CALLER, 4004));
    caller.toSbc(invite);
    Received inv = callee.await(request("INVITE"), "the INVITE");
    callee.send(response(inv, 180, "Ringing", null), inv.from());
    caller.await(status(180), "the 180");
    String cancel =
        invite
                .substring(0, invite.indexOf("Contact:"))
                .replace("INVITE sip:", "CANCEL sip:")
                .replace("CSeq: 1 INVITE", "CSeq: 1 CANCEL")
            + "Content-Length: 0\r\n\r\n";
    caller.toSbc(cancel);
    Received c = callee.await(request("CANCEL"), "the CANCEL");
    callee.send(response(c, 200, "OK", null), c.from());
    callee.send(response(inv, 487, "Request Terminated", null), inv.from());
    caller.await(status(487), "the 487");
    awaitGone(rtpe, callId);
  }

  @Test
  void aLateOfferIsAnchoredFromTheOkAndTheAck() throws Exception {
    RtpEngineProcess rtpe = startAll(MEDIA_EXTERNAL);
    String callId = "late-" + System.nanoTime() + "@" + CALLER;
    caller.toSbc(invite(callId, "z9hG4bK-d1", null));
    Received inv = callee.await(request("INVITE"), "the INVITE");
    assertEquals(0, inv.m().bodyLength());
    callee.send(response(inv, 200, "OK", sdp(CALLEE, 5006)), inv.from());
    Received ok = caller.await(status(200), "the 200 with the offer");
    assertAnchored(ok, CALLEE);
    caller.toSbc(inDialog("ACK", 1, ok, "z9hG4bK-d2", sdp(CALLER, 4006)));
    Received ack = callee.await(request("ACK"), "the ACK with the answer");
    assertAnchored(ack, CALLER);
    assertTrue(rtpe.sessions().contains(callId));
    bye(ok, "z9hG4bK-d3");
    awaitGone(rtpe, callId);
  }

  @Test
  void withoutAnRtpEngineTheCallIsRefusedOrGoesOnAsTheRuleSays() throws Exception {
    int dead;
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      dead = s.getLocalPort(); // nothing answers there once closed
    }
    startSbc(
        """
        media:
          mode: External
          instances: [{address: "127.0.0.1:%d"}]
          timeoutMillis: 100
          retries: 1
        """
            .formatted(dead));
    caller.toSbc(invite("refused-" + System.nanoTime(), "z9hG4bK-e1", sdp(CALLER, 4008)));
    Received refused = caller.await(status(503), "503 without a media relay");
    assertNotNull(refused);
  }

  /**
   * Two replicas of one gateway behind one advertised address (as behind a Kubernetes Service),
   * sharing the sealing secret and the RTPengine: the INVITE through one, the BYE through the
   * other, which knows nothing of the call but picks the same RTPengine by the Call-ID's hash and
   * deletes the call there.
   */
  @Test
  void aByeThroughTheOtherReplicaDeletesTheCall() throws Exception {
    RtpEngineProcess rtpe = track(RtpEngineProcess.start(MEDIA));
    caller = track(new Ua(CALLER));
    callee = track(new Ua(CALLEE));
    calleePort = callee.port();
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.11", 0))) {
      sbcPort = probe.getLocalPort();
    }
    String media = MEDIA_EXTERNAL.replace("NG", rtpe.ng());
    startStack("127.0.0.11", "127.0.0.10", media);
    startStack("127.0.0.12", "127.0.0.10", media);
    String callId = "replicas-" + System.nanoTime() + "@" + CALLER;
    caller.send(
        invite(callId, "z9hG4bK-f1", sdp(CALLER, 4010)),
        new InetSocketAddress("127.0.0.11", sbcPort));
    Received inv = callee.await(request("INVITE"), "the INVITE through replica A");
    assertAnchored(inv, CALLER);
    callee.send(response(inv, 200, "OK", sdp(CALLEE, 5010)), inv.from());
    Received ok = caller.await(status(200), "the 200");
    assertAnchored(ok, CALLEE);
    caller.send(
        inDialog("ACK", 1, ok, "z9hG4bK-f2", null), new InetSocketAddress("127.0.0.11", sbcPort));
    callee.await(request("ACK"), "the ACK");
    assertTrue(rtpe.sessions().contains(callId));
    caller.send(
        inDialog("BYE", 2, ok, "z9hG4bK-f3", null), new InetSocketAddress("127.0.0.12", sbcPort));
    Received bye = callee.await(request("BYE"), "the BYE through replica B");
    assertEquals(new InetSocketAddress("127.0.0.12", sbcPort), bye.from(), "sent by replica B");
    callee.send(response(bye, 200, "OK", null), bye.from());
    caller.await(status(200), "the BYE's 200");
    awaitGone(rtpe, callId);
  }

  /** The port of the m= line of an SDP body. */
  static int mediaPort(String sdp) {
    int at = sdp.indexOf("m=audio ") + "m=audio ".length();
    return Integer.parseInt(sdp.substring(at, sdp.indexOf(' ', at)));
  }

  /** {@code n} RTP packets (12-byte header, 160 bytes of PCMU) from {@code from} to RTPengine. */
  static void sendRtp(DatagramSocket from, int toPort, int n, int ssrc) throws Exception {
    for (int i = 0; i < n; i++) {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(172);
      b.put((byte) 0x80).put((byte) 0).putShort((short) i).putInt(i * 160).putInt(ssrc);
      from.send(new DatagramPacket(b.array(), 172, new InetSocketAddress(MEDIA, toPort)));
      Thread.sleep(5);
    }
  }

  /**
   * What RTPengine relayed for a call, per direction, comes with the call's end (its BYE's delete
   * reply) and into the metrics' totals: the caller sends 10 RTP packets, the callee 7.
   */
  @Test
  void theCallsEndCarriesWhatRtpEngineRelayedEachWay() throws Exception {
    startAll(MEDIA_EXTERNAL);
    String callId = "counted-" + System.nanoTime() + "@" + CALLER;
    try (DatagramSocket callerRtp = new DatagramSocket(new InetSocketAddress(CALLER, 4040));
        DatagramSocket calleeRtp = new DatagramSocket(new InetSocketAddress(CALLEE, 5040))) {
      caller.toSbc(invite(callId, "z9hG4bK-c1", sdp(CALLER, 4040)));
      Received inv = callee.await(request("INVITE"), "the INVITE");
      callee.send(response(inv, 200, "OK", sdp(CALLEE, 5040)), inv.from());
      Received ok = caller.await(status(200), "the 200");
      caller.toSbc(inDialog("ACK", 1, ok, "z9hG4bK-c2", null));
      callee.await(request("ACK"), "the ACK");
      sendRtp(callerRtp, mediaPort(ok.body()), 10, 0x1234);
      sendRtp(calleeRtp, mediaPort(inv.body()), 7, 0x5678);
      Thread.sleep(300);
      assertEquals(0, lastStack.callCounters().media(false, 0), "nothing counted before the end");
      bye(ok, "z9hG4bK-c3");
    }
    // The end event follows the 200 going upstream, on the SBC's loop: give it a moment.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (lastStack.callCounters().media(false, 0) == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(10, lastStack.callCounters().media(false, 0), "packets from the caller");
    assertEquals(10 * 172, lastStack.callCounters().media(false, 1), "bytes from the caller");
    assertEquals(7, lastStack.callCounters().media(true, 0), "packets from the callee");
    assertEquals(7 * 172, lastStack.callCounters().media(true, 1), "bytes from the callee");
    assertEquals(0, lastStack.callCounters().media(false, 2), "no loss reported without RTCP");
  }

  /** Every c= and o= line of {@code body} names {@code address}. */
  static void assertNames(String body, String address, String who) {
    int lines = 0;
    for (String line : body.split("\r\n")) {
      if (line.startsWith("c=") || line.startsWith("o=")) {
        lines++;
        assertTrue(line.endsWith("IN IP4 " + address), who + ": not " + address + ": " + line);
      }
    }
    assertTrue(lines >= 2, who + ": " + body);
  }

  /**
   * A rule's {@code direction: [internal, external]}: the callee's SDP names RTPengine's external
   * interface, the caller's its internal one; the callee's re-INVITE (an offer from the callee's
   * side) has them swapped, so the caller still sees the internal address and the callee the
   * external one.
   */
  @Test
  void eachSideSeesTheInterfaceFacingIt() throws Exception {
    ruleMedia = "{ice: Remove, direction: [internal, external]}";
    RtpEngineProcess rtpe =
        track(RtpEngineProcess.start("internal/" + MEDIA + ",external/127.0.0.7"));
    startSbcWith(rtpe);
    String callId = "directions-" + System.nanoTime() + "@" + CALLER;
    caller.toSbc(invite(callId, "z9hG4bK-d1", sdp(CALLER, 4050)));
    Received inv = callee.await(request("INVITE"), "the INVITE");
    assertNames(inv.body(), "127.0.0.7", "the callee");
    callee.send(response(inv, 200, "OK", sdp(CALLEE, 5050)), inv.from());
    Received ok = caller.await(status(200), "the 200");
    assertNames(ok.body(), MEDIA, "the caller");
    caller.toSbc(inDialog("ACK", 1, ok, "z9hG4bK-d2", null));
    callee.await(request("ACK"), "the ACK");
    // The callee's re-INVITE, along the route set and to the Contact its INVITE gave it.
    String contact = inv.header("Contact").trim();
    String body = sdp(CALLEE, 5052);
    callee.send(
        "INVITE "
            + contact.substring(contact.indexOf('<') + 1, contact.indexOf('>'))
            + " SIP/2.0\r\nVia: SIP/2.0/UDP "
            + CALLEE
            + ":"
            + calleePort
            + ";branch=z9hG4bK-d3;rport\r\nMax-Forwards: 70\r\nRoute: "
            + inv.header("Record-Route").trim()
            + "\r\nFrom: "
            + inv.header("To").trim()
            + ";tag=bob1\r\nTo: "
            + inv.header("From").trim()
            + "\r\nCall-ID: "
            + inv.header("Call-ID").trim()
            + "\r\nCSeq: 1 INVITE\r\nContact: <sip:bob@"
            + CALLEE
            + ":"
            + calleePort
            + ">\r\nContent-Type: application/sdp\r\nContent-Length: "
            + body.length()
            + "\r\n\r\n"
            + body,
        new InetSocketAddress("127.0.0.1", sbcPort));
    Received reinvite = caller.await(request("INVITE"), "the callee's re-INVITE");
    assertNames(reinvite.body(), MEDIA, "the caller, offered by the callee");
    assertFalse(reinvite.body().contains(CALLEE), reinvite.body());
    caller.send(response(reinvite, 200, "OK", sdp(CALLER, 4052)), reinvite.from());
    Received ok2 = callee.await(status(200), "the re-INVITE's 200");
    assertNames(ok2.body(), "127.0.0.7", "the callee, answered by the caller");
    assertTrue(rtpe.sessions().contains(callId));
  }

  /**
   * An answer RTPengine does not take (it died after the offer) is not forwarded as it came: the
   * callee's address would reach the caller of a hidden call. The 200 goes on without its SDP.
   */
  @Test
  void aFailedAnswerDoesNotLeakTheCalleesAddress() throws Exception {
    RtpEngineProcess rtpe = track(RtpEngineProcess.start(MEDIA));
    startSbc(
        MEDIA_EXTERNAL
            .replace("NG", rtpe.ng())
            .replace("anchoring:", "timeoutMillis: 200\n  retries: 0\n  anchoring:"));
    String callId = "lost-answer-" + System.nanoTime() + "@" + CALLER;
    caller.toSbc(invite(callId, "z9hG4bK-l1", sdp(CALLER, 4060)));
    Received inv = callee.await(request("INVITE"), "the INVITE");
    assertAnchored(inv, CALLER);
    rtpe.close();
    callee.send(response(inv, 200, "OK", sdp(CALLEE, 5060)), inv.from());
    Received ok = caller.await(status(200), "the 200");
    assertEquals("", ok.body(), "no SDP: " + ok.m());
    assertEquals("0", ok.header("Content-Length").trim());
    assertEquals(null, ok.header("Content-Type"));
    String all = new String(ok.m().bytes(), StandardCharsets.ISO_8859_1);
    assertFalse(all.contains("IN IP4 " + CALLEE), "the callee's media address leaked: " + all);
  }

  /**
   * The instance and the rule's policy travel in the dialog's sealed Record-Route, so the other
   * replica uses them although it is configured differently: replica A lists RTPengine e1 first (e2
   * a spare of weight 0), replica B the other way round, so B's own choice would be e2; the gateway
   * anchors nothing and only the rule does, so B's own policy would not anchor. The INVITE goes
   * through A; the caller's re-INVITE through B is anchored on e1 (the callee sees only RTPengine),
   * and the BYE through B deletes the call on e1; e2 never holds it.
   */
  @Test
  void theOtherReplicaUsesTheSealedInstanceAndPolicy() throws Exception {
    RtpEngineProcess e1 = track(RtpEngineProcess.start(MEDIA));
    RtpEngineProcess e2 = track(RtpEngineProcess.start(MEDIA));
    caller = track(new Ua(CALLER));
    callee = track(new Ua(CALLEE));
    calleePort = callee.port();
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.11", 0))) {
      sbcPort = probe.getLocalPort();
    }
    ruleMedia = "{ice: Remove}";
    String media =
        """
        media:
          mode: External
          instances: [{address: "FIRST", weight: 1}, {address: "SECOND", weight: 0}]
          anchoring: {enabled: false}
        """;
    startStack(
        "127.0.0.11", "127.0.0.10", media.replace("FIRST", e1.ng()).replace("SECOND", e2.ng()));
    startStack(
        "127.0.0.12", "127.0.0.10", media.replace("FIRST", e2.ng()).replace("SECOND", e1.ng()));
    InetSocketAddress a = new InetSocketAddress("127.0.0.11", sbcPort);
    InetSocketAddress b = new InetSocketAddress("127.0.0.12", sbcPort);
    String callId = "sealed-media-" + System.nanoTime() + "@" + CALLER;
    caller.send(invite(callId, "z9hG4bK-s1", sdp(CALLER, 4030)), a);
    Received inv = callee.await(request("INVITE"), "the INVITE through replica A");
    assertAnchored(inv, CALLER);
    callee.send(response(inv, 200, "OK", sdp(CALLEE, 5030)), inv.from());
    Received ok = caller.await(status(200), "the 200");
    assertAnchored(ok, CALLEE);
    caller.send(inDialog("ACK", 1, ok, "z9hG4bK-s2", null), a);
    callee.await(request("ACK"), "the ACK");
    assertTrue(e1.sessions().contains(callId), "replica A chose e1");
    assertFalse(e2.sessions().contains(callId));

    caller.send(inDialog("INVITE", 2, ok, "z9hG4bK-s3", sdp(CALLER, 4032)), b);
    Received reinvite = callee.await(request("INVITE"), "the re-INVITE through replica B");
    assertEquals(b, reinvite.from(), "sent by replica B");
    assertAnchored(reinvite, CALLER);
    callee.send(response(reinvite, 200, "OK", sdp(CALLEE, 5032)), reinvite.from());
    Received ok2 = caller.await(status(200), "the re-INVITE's 200");
    assertAnchored(ok2, CALLEE);
    caller.send(inDialog("ACK", 2, ok, "z9hG4bK-s4", null), b);
    callee.await(request("ACK"), "the re-INVITE's ACK");
    assertFalse(e2.sessions().contains(callId), "replica B kept to e1");

    caller.send(inDialog("BYE", 3, ok, "z9hG4bK-s5", null), b);
    Received bye = callee.await(request("BYE"), "the BYE through replica B");
    callee.send(response(bye, 200, "OK", null), bye.from());
    caller.await(status(200), "the BYE's 200");
    awaitGone(e1, callId);
    assertFalse(e2.sessions().contains(callId));
  }

  /**
   * A rule's own media settings replace the gateway's: this rule asks RTPengine for SRTP towards
   * the callee (RTP/SAVP with SDES keys) while the caller keeps plain RTP/AVP.
   */
  @Test
  void aRulesOwnSettingsReachRtpEngine() throws Exception {
    ruleMedia = "{transportProtocol: RTP/SAVP}";
    RtpEngineProcess rtpe = startAll(MEDIA_EXTERNAL);
    String callId = "srtp-" + System.nanoTime() + "@" + CALLER;
    caller.toSbc(invite(callId, "z9hG4bK-g1", sdp(CALLER, 4012)));
    Received inv = callee.await(request("INVITE"), "the INVITE");
    assertAnchored(inv, CALLER);
    assertTrue(inv.body().contains(" RTP/SAVP "), "SRTP towards the callee: " + inv.body());
    assertTrue(inv.body().contains("a=crypto:"), "with SDES keys: " + inv.body());
    callee.send(
        response(inv, 200, "OK", sdp(CALLEE, 5012).replace("RTP/AVP", "RTP/SAVP")), inv.from());
    Received ok = caller.await(status(200), "the 200");
    assertAnchored(ok, CALLEE);
    assertTrue(ok.body().contains(" RTP/AVP "), "plain RTP towards the caller: " + ok.body());
    assertTrue(rtpe.sessions().contains(callId));
  }

  /**
   * A call forked to two callees that both send early media (183 with SDP, each its own To tag):
   * each early dialog gets RTPengine's answer, so the caller sees RTPengine in both; the first 200
   * wins, the other branch is cancelled, and the BYE deletes the call.
   */
  @Test
  void eachEarlyDialogOfAForkedCallIsAnsweredByRtpEngine() throws Exception {
    RtpEngineProcess rtpe = track(RtpEngineProcess.start(MEDIA));
    Ua second = track(new Ua(CALLEE));
    secondCalleePort = second.port();
    startSbcWith(rtpe);
    String callId = "forked-" + System.nanoTime() + "@" + CALLER;
    caller.toSbc(invite(callId, "z9hG4bK-h1", sdp(CALLER, 4014)));
    Received inv1 = callee.await(request("INVITE"), "the INVITE at the first callee");
    Received inv2 = second.await(request("INVITE"), "the INVITE at the second callee");
    assertAnchored(inv1, CALLER);
    assertAnchored(inv2, CALLER);
    callee.send(
        response(inv1, 183, "Session Progress", sdp(CALLEE, 5014)).replace("tag=bob1", "tag=one"),
        inv1.from());
    Received early1 = caller.await(status(183), "the first 183");
    second.send(
        response(inv2, 183, "Session Progress", sdp("127.0.0.4", 5016))
            .replace("tag=bob1", "tag=two"),
        inv2.from());
    Received early2 = caller.await(status(183), "the second 183");
    assertAnchored(early1, CALLEE);
    assertAnchored(early2, "127.0.0.4");
    assertFalse(early1.header("To").equals(early2.header("To")), "two early dialogs, two To tags");
    callee.send(
        response(inv1, 200, "OK", sdp(CALLEE, 5014)).replace("tag=bob1", "tag=one"), inv1.from());
    Received ok = caller.await(status(200), "the 200");
    assertAnchored(ok, CALLEE);
    Received cancel = second.await(request("CANCEL"), "the CANCEL of the other branch");
    second.send(response(cancel, 200, "OK", null), cancel.from());
    second.send(
        response(inv2, 487, "Request Terminated", null).replace("tag=bob1", "tag=two"),
        inv2.from());
    caller.toSbc(inDialog("ACK", 1, ok, "z9hG4bK-h2", null));
    callee.await(request("ACK"), "the ACK");
    assertTrue(rtpe.sessions().contains(callId));
    bye(ok, "z9hG4bK-h3");
    awaitGone(rtpe, callId);
  }

  /** A rule with onFailure: Continue forwards the offer and its answer untouched. */
  @Test
  void withoutAnRtpEngineAContinueRuleForwardsTheSdpUntouched() throws Exception {
    int dead;
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      dead = s.getLocalPort();
    }
    ruleMedia = "{onFailure: Continue}";
    startSbc(
        """
        media:
          mode: External
          instances: [{address: "127.0.0.1:%d"}]
          timeoutMillis: 100
          retries: 0
        """
            .formatted(dead));
    String offer = sdp(CALLER, 4020);
    caller.toSbc(invite("continue-" + System.nanoTime(), "z9hG4bK-i1", offer));
    Received inv = callee.await(request("INVITE"), "the INVITE, unanchored");
    assertEquals(offer, inv.body());
    String answer = sdp(CALLEE, 5020);
    callee.send(response(inv, 200, "OK", answer), inv.from());
    Received ok = caller.await(status(200), "the 200, unanchored");
    assertEquals(answer, ok.body());
  }
}
