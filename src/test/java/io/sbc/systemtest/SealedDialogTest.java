package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Two SBC processes of one gateway (two replicas sharing the sealing secret, behind one advertised
 * address as behind a Kubernetes Service): the INVITE goes through the first, the callee's
 * re-INVITE comes back through the first, the caller's ACK and BYE go through the second, and all
 * succeed; a tampered Route token gets 403 and reaches nobody. The callee is SIPp; the caller is
 * a small UA of this test, which chooses which replica each of its requests goes to.
 */
class SealedDialogTest extends SystemTestBase {
  static final String SECRET = "a secret the two replicas share";

  /** The address both replicas advertise (the Service's), and each replica's own. */
  static final String SERVICE = "127.0.0.10";

  static final String REPLICA_A = "127.0.0.11";
  static final String REPLICA_B = "127.0.0.12";
  static final String CALLER = "127.0.0.2";

  static int freeUdpPort(String host) throws IOException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(host, 0))) {
      return s.getLocalPort();
    }
  }

  ManagedProcess startReplica(String name, String address, int port, int uasPort) throws Exception {
    String yaml =
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: edge
        spec:
          listeners:
            - name: udp
              protocol: SIP-UDP
              address: %s
              port: %d
              advertisedAddress: %s
          sealing:
            secret: "%s"
          topologyHiding: {enabled: %s, callId: %s, fromToHost: %s}
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: to-callee
        spec:
          parentRefs: [{name: edge}]
          rules:
            - allowRelay: true
              backendRefs: [{uri: "sip:127.0.0.1:%d"}]
        """
            .formatted(address, port, SERVICE, SECRET, hidden, hidden, hidden, uasPort);
    return track(SbcProcess.start(workDir, name, yaml, address, port));
  }

  /** Whether this run hides the topology (the same dialog checks, with and without). */
  boolean hidden;

  /** A minimal UDP user agent: sends what it is told, reads what comes, answers nothing alone. */
  static final class Ua implements AutoCloseable {
    final DatagramSocket socket;

    Ua(String host) throws IOException {
      socket = new DatagramSocket(new InetSocketAddress(host, 0));
      socket.setSoTimeout(5000);
    }

    int port() {
      return socket.getLocalPort();
    }

    void send(String host, int port, String message) throws IOException {
      byte[] b = message.getBytes(StandardCharsets.ISO_8859_1);
      socket.send(new DatagramPacket(b, b.length, InetAddress.getByName(host), port));
    }

    /** The next message that matches {@code firstLine} (a status code or a method), others skipped. */
    Received await(String firstLine) throws IOException {
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (System.nanoTime() < deadline) {
        byte[] buf = new byte[65535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
        } catch (SocketTimeoutException e) {
          break;
        }
        String text = new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1);
        String start = text.substring(0, text.indexOf("\r\n"));
        if (start.startsWith(firstLine) || start.startsWith("SIP/2.0 " + firstLine)) {
          return new Received(text, (InetSocketAddress) p.getSocketAddress());
        }
      }
      throw new AssertionError("no " + firstLine + " came within 10 s");
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  record Received(String text, InetSocketAddress from) {
    List<String> headers(String name) {
      List<String> out = new ArrayList<>();
      for (String line : text.split("\r\n")) {
        int c = line.indexOf(':');
        if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase(name)) {
          out.add(line.substring(c + 1).trim());
        }
      }
      return out;
    }

    String header(String name) {
      List<String> h = headers(name);
      return h.isEmpty() ? null : h.get(0);
    }
  }

  static String tagOf(String nameAddr) {
    Matcher m = Pattern.compile(";tag=([^;]+)").matcher(nameAddr);
    return m.find() ? m.group(1) : null;
  }

  @Test
  void aDialogMovesBetweenReplicasAndForgeriesGoNowhere() throws Exception {
    hidden = false;
    dialogAcrossReplicas();
  }

  /** Issue 9: the same with topology hiding (Call-ID and From/To hosts too) on every call. */
  @Test
  void aHiddenDialogMovesBetweenReplicasAndForgeriesGoNowhere() throws Exception {
    hidden = true;
    dialogAcrossReplicas();
  }

  private void dialogAcrossReplicas() throws Exception {
    int port = freeUdpPort(REPLICA_A);
    int uasPort = freeUdpPort("127.0.0.1");
    ManagedProcess a = startReplica("replica-a", REPLICA_A, port, uasPort);
    ManagedProcess b = startReplica("replica-b", REPLICA_B, port, uasPort);
    try (Ua caller = new Ua(CALLER)) {
      String from = "<sip:alice@" + CALLER + ":" + caller.port() + ">;tag=alice1";
      Sipp.Instance uas =
          startUas(
              Sipp.uas(Sipp.scenario("uas_reinvite.xml"))
                  .port(uasPort)
                  .calls(1)
                  .traceMessages(true),
              "uas");
      String callId = "sealed-" + System.nanoTime() + "@" + CALLER;
      String contact = "<sip:alice@" + CALLER + ":" + caller.port() + ">";
      String via = "Via: SIP/2.0/UDP " + CALLER + ":" + caller.port() + ";rport;branch=z9hG4bK";
      // INVITE through replica A.
      caller.send(
          REPLICA_A,
          port,
          "INVITE sip:bob@"
              + SERVICE
              + ":"
              + port
              + " SIP/2.0\r\n"
              + via
              + "inv1\r\nMax-Forwards: 70\r\nFrom: "
              + from
              + "\r\nTo: <sip:bob@"
              + SERVICE
              + ">\r\nCall-ID: "
              + callId
              + "\r\nCSeq: 1 INVITE\r\nContact: "
              + contact
              + "\r\nContent-Length: 0\r\n\r\n");
      Received ok = caller.await("200");
      String to = ok.header("To");
      assertNotNull(tagOf(to), "the callee's tag");
      List<String> rr = ok.headers("Record-Route");
      assertEquals(1, rr.size(), "one Record-Route: " + rr);
      String route = rr.get(0);
      String param = hidden ? ";h=" : ";s=";
      assertTrue(route.startsWith("<sip:" + SERVICE + ":" + port + ";lr" + param), route);
      String remoteTarget = ok.header("Contact").replaceAll("^<|>.*$", "");
      String dialog =
          "From: " + from + "\r\nTo: " + to + "\r\nCall-ID: " + callId + "\r\n";
      // ACK through replica B.
      caller.send(
          REPLICA_B,
          port,
          "ACK "
              + remoteTarget
              + " SIP/2.0\r\n"
              + via
              + "ack1\r\nRoute: "
              + route
              + "\r\nMax-Forwards: 70\r\n"
              + dialog
              + "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
      // The callee's re-INVITE comes back through replica A (where SIPp's dialog points).
      Received reinvite = caller.await("INVITE");
      assertEquals(
          new InetSocketAddress(REPLICA_A, port), reinvite.from(), "through the first replica");
      String reinviteTo = reinvite.header("To");
      assertEquals("alice1", tagOf(reinviteTo));
      StringBuilder okRe = new StringBuilder("SIP/2.0 200 OK\r\n");
      for (String v : reinvite.headers("Via")) {
        okRe.append("Via: ").append(v).append("\r\n");
      }
      okRe.append("From: ").append(reinvite.header("From")).append("\r\n");
      okRe.append("To: ").append(reinviteTo).append("\r\n");
      okRe.append("Call-ID: ").append(reinvite.header("Call-ID")).append("\r\n");
      okRe.append("CSeq: ").append(reinvite.header("CSeq")).append("\r\n");
      okRe.append("Contact: ").append(contact).append("\r\nContent-Length: 0\r\n\r\n");
      caller.send(REPLICA_A, port, okRe.toString());
      caller.await("ACK");
      // A tampered token, through B: refused, and the callee sees nothing (its scenario would fail
      // on an unexpected BYE).
      int t = route.indexOf(param) + 3;
      char c = route.charAt(t + 5);
      String tampered = route.substring(0, t + 5) + (c == 'A' ? 'B' : 'A') + route.substring(t + 6);
      caller.send(
          REPLICA_B,
          port,
          "BYE sip:someone@127.0.0.1:"
              + uasPort
              + " SIP/2.0\r\n"
              + via
              + "forged1\r\nRoute: "
              + tampered
              + "\r\nMax-Forwards: 70\r\n"
              + dialog
              + "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n");
      Received refused = caller.await("403");
      assertTrue(refused.text().contains("CSeq: 2 BYE"), refused.text());
      // The real BYE through replica B.
      caller.send(
          REPLICA_B,
          port,
          "BYE "
              + remoteTarget
              + " SIP/2.0\r\n"
              + via
              + "bye1\r\nRoute: "
              + route
              + "\r\nMax-Forwards: 70\r\n"
              + dialog
              + "CSeq: 3 BYE\r\nContent-Length: 0\r\n\r\n");
      Received byeOk = caller.await("200");
      assertTrue(byeOk.text().contains("CSeq: 3 BYE"), byeOk.text());
      Sipp.Result r = uas.result(uas.awaitExit(Duration.ofSeconds(15)));
      assertTrue(r.allSucceeded(1), "the callee's whole scenario: " + r);
    }
    for (ManagedProcess p : List.of(a, b)) {
      assertFalse(p.logText().contains(BLOCKED_THREAD), p.name() + " blocked a loop");
      assertFalse(
          p.logText().contains("has no spec.sealing secret"), p.name() + " made up its own key");
    }
  }
}
