package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The SBC at the edge (issue 9), with real peers: topology hiding seen from both sides' own
 * message traces (SIPp caller on 127.0.0.2, SIPp callee on 127.0.0.3: no Via, Record-Route,
 * Route, Contact or Call-ID line one side receives names the other), and a caller behind NAT
 * (Contact and Via 192.168.1.10, packets from 127.0.0.4) reached where its packets come from.
 */
class EdgeTest extends SystemTestBase {
  static final String CALLER = "127.0.0.2";
  static final String CALLEE = "127.0.0.3";
  static final String NATED = "127.0.0.4";

  static int freeUdpPort(String host) throws IOException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(host, 0))) {
      return s.getLocalPort();
    }
  }

  String gateway(int port, int calleePort, String edge) {
    return """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: edge
        spec:
          listeners:
            - name: udp
              protocol: SIP-UDP
              address: 127.0.0.1
              port: %d
          sealing:
            secret: "the edge test's shared secret"
        %s
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: to-callee
        spec:
          parentRefs: [{name: edge}]
          rules:
            - allowRelay: true
              backendRefs: [{uri: "sip:%s:%d"}]
        """
        .formatted(port, edge.indent(2), CALLEE, calleePort);
  }

  /** The header lines of every message a SIPp received, from its -trace_msg log. */
  static List<String> receivedLines(Path sippDir, String name) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(sippDir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith("_messages.log")).toList()) {
        boolean received = false;
        for (String line : Files.readAllLines(f, StandardCharsets.ISO_8859_1)) {
          if (line.startsWith("-----")) {
            received = false;
          } else if (line.contains("message received")) {
            received = true;
          } else if (received) {
            out.add(line);
          }
        }
      }
    }
    assertFalse(out.isEmpty(), name + " received nothing (no -trace_msg log in " + sippDir + ")");
    return out;
  }

  static void assertNothingNames(List<String> lines, String address, String who) {
    for (String line : lines) {
      String l = line.toLowerCase();
      boolean hidden =
          l.startsWith("via:")
              || l.startsWith("v:")
              || l.startsWith("record-route:")
              || l.startsWith("route:")
              || l.startsWith("contact:")
              || l.startsWith("m:")
              || l.startsWith("call-id:")
              || l.startsWith("i:");
      assertFalse(hidden && line.contains(address), who + " saw " + address + ": " + line);
    }
  }

  @Test
  void neitherSideSeesTheOther() throws Exception {
    int port = freeUdpPort("127.0.0.1");
    int calleePort = freeUdpPort(CALLEE);
    track(
        SbcProcess.start(
            workDir,
            "sbc",
            gateway(
                port,
                calleePort,
                "topologyHiding: {enabled: true, callId: true, fromToHost: true}"),
            "127.0.0.1",
            port));
    Sipp.Instance uas =
        startUas(
            Sipp.uas(Sipp.scenario("uas_reinvite.xml"))
                .localIp(CALLEE)
                .port(calleePort)
                .calls(3)
                .traceMessages(true),
            "callee");
    Sipp.Result uac =
        runUac(
            Sipp.uac(Sipp.scenario("uac_reinvited.xml"), "127.0.0.1:" + port)
                .localIp(CALLER)
                .port(freeUdpPort(CALLER))
                .calls(3)
                .rate(3)
                .traceMessages(true)
                .timeout(Duration.ofSeconds(30)),
            "caller",
            Duration.ofSeconds(40));
    assertTrue(uac.allSucceeded(3), "the caller's calls, re-INVITE and BYE included: " + uac);
    Sipp.Result callee = uas.result(uas.awaitExit(Duration.ofSeconds(20)));
    assertTrue(callee.allSucceeded(3), "the callee's side: " + callee);
    List<String> atCallee = receivedLines(workDir.resolve("callee"), "the callee");
    List<String> atCaller = receivedLines(workDir.resolve("caller"), "the caller");
    assertNothingNames(atCallee, CALLER, "the callee");
    assertNothingNames(atCaller, CALLEE, "the caller");
    // And the check would see a leak: the caller's own Via names the caller, unhidden.
    assertTrue(atCaller.stream().anyMatch(l -> l.startsWith("Via:") && l.contains(CALLER)));
  }

  @Test
  void aCallerBehindNatIsReachedWhereItsPacketsComeFrom() throws Exception {
    int port = freeUdpPort("127.0.0.1");
    int calleePort = freeUdpPort(CALLEE);
    track(
        SbcProcess.start(
            workDir,
            "sbc",
            gateway(port, calleePort, "nat: {detect: [ViaMismatch, PrivateContact]}"),
            "127.0.0.1",
            port));
    Sipp.Instance uas =
        startUas(
            Sipp.uas(Sipp.scenario("uas_bye.xml"))
                .localIp(CALLEE)
                .port(calleePort)
                .calls(1)
                .traceMessages(true),
            "callee");
    try (DatagramSocket ua = new DatagramSocket(new InetSocketAddress(NATED, 0))) {
      ua.setSoTimeout(5000);
      // What the phone believes its address is, behind its NAT.
      String priv = "192.168.1.10:5062";
      String from = "<sip:alice@192.168.1.10>;tag=nat1";
      String callId = "nat-" + System.nanoTime() + "@192.168.1.10";
      send(
          ua,
          port,
          "INVITE sip:bob@"
              + CALLEE
              + " SIP/2.0\r\nVia: SIP/2.0/UDP "
              + priv
              + ";branch=z9hG4bKnat1;rport\r\nMax-Forwards: 70\r\nFrom: "
              + from
              + "\r\nTo: <sip:bob@"
              + CALLEE
              + ">\r\nCall-ID: "
              + callId
              + "\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@"
              + priv
              + ">\r\nContent-Length: 0\r\n\r\n");
      String ok = await(ua, "SIP/2.0 200");
      String to = header(ok, "To");
      String route = header(ok, "Record-Route");
      String target = header(ok, "Contact").replaceAll("^<|>.*$", "");
      send(
          ua,
          port,
          "ACK "
              + target
              + " SIP/2.0\r\nVia: SIP/2.0/UDP "
              + priv
              + ";branch=z9hG4bKnat2;rport\r\nRoute: "
              + route
              + "\r\nMax-Forwards: 70\r\nFrom: "
              + from
              + "\r\nTo: "
              + to
              + "\r\nCall-ID: "
              + callId
              + "\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
      // The callee's BYE arrives here, at the address and port the phone sent from.
      DatagramPacket[] from2 = new DatagramPacket[1];
      String bye = await(ua, "BYE ", from2);
      assertTrue(bye.startsWith("BYE sip:alice@" + priv), bye);
      StringBuilder resp = new StringBuilder("SIP/2.0 200 OK\r\n");
      for (String v : headers(bye, "Via")) {
        resp.append("Via: ").append(v).append("\r\n");
      }
      resp.append("From: ").append(header(bye, "From")).append("\r\n");
      resp.append("To: ").append(header(bye, "To")).append("\r\n");
      resp.append("Call-ID: ").append(header(bye, "Call-ID")).append("\r\n");
      resp.append("CSeq: ").append(header(bye, "CSeq")).append("\r\nContent-Length: 0\r\n\r\n");
      byte[] b = resp.toString().getBytes(StandardCharsets.ISO_8859_1);
      ua.send(new DatagramPacket(b, b.length, from2[0].getSocketAddress()));
    }
    Sipp.Result callee = uas.result(uas.awaitExit(Duration.ofSeconds(15)));
    assertTrue(callee.allSucceeded(1), "the callee's BYE was answered: " + callee);
  }

  static void send(DatagramSocket s, int port, String m) throws IOException {
    byte[] b = m.getBytes(StandardCharsets.ISO_8859_1);
    s.send(new DatagramPacket(b, b.length, InetAddress.getByName("127.0.0.1"), port));
  }

  static String await(DatagramSocket s, String start) throws IOException {
    return await(s, start, new DatagramPacket[1]);
  }

  static String await(DatagramSocket s, String start, DatagramPacket[] from) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      byte[] buf = new byte[65535];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        s.receive(p);
      } catch (SocketTimeoutException e) {
        break;
      }
      String text = new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1);
      if (text.startsWith(start)) {
        from[0] = p;
        return text;
      }
    }
    throw new AssertionError("nothing starting with '" + start + "' came within 10 s");
  }

  static List<String> headers(String msg, String name) {
    List<String> out = new ArrayList<>();
    for (String line : msg.split("\r\n")) {
      int c = line.indexOf(':');
      if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase(name)) {
        out.add(line.substring(c + 1).trim());
      }
    }
    return out;
  }

  static String header(String msg, String name) {
    List<String> h = headers(msg, name);
    assertEquals(false, h.isEmpty(), name + " in:\n" + msg);
    return h.get(0);
  }
}
