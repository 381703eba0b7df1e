package io.sbc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.transport.Myself;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A listener bound to 0.0.0.0 (as in a cluster): it answers an OPTIONS sent to any of the machine's
 * addresses, and what it forwards names a real address (the interface it leaves from), never
 * 0.0.0.0.
 */
class WildcardListenerTest {
  static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  Vertx vertx;
  SbcStack stack;
  DatagramSocket backend;
  int port;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(2));
    backend = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    backend.setSoTimeout(3000);
    try (DatagramSocket probe = new DatagramSocket(0)) {
      port = probe.getLocalPort();
    }
    String yaml =
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: wild
        spec:
          listeners:
            - name: udp
              protocol: SIP-UDP
              address: 0.0.0.0
              port: %d
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: all
        spec:
          parentRefs: [{name: wild}]
          rules:
            - allowRelay: true
              backendRefs: [{uri: "sip:127.0.0.1:%d"}]
        """
            .formatted(port, backend.getLocalPort());
    Path file = Files.createTempFile("wildcard", ".yaml");
    try {
      Files.writeString(file, yaml);
      stack = SbcStack.start(GatewayConfig.load(file, null), vertx);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
    backend.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  static List<InetAddress> ipv4Addresses() throws Exception {
    List<InetAddress> out = new ArrayList<>();
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!ni.isUp()) {
        continue;
      }
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (a instanceof Inet4Address) {
          out.add(a);
        }
      }
    }
    return out;
  }

  SipMessage exchange(DatagramSocket s, InetAddress to, String request) throws Exception {
    byte[] b = request.getBytes(StandardCharsets.ISO_8859_1);
    s.send(new DatagramPacket(b, b.length, to, port));
    byte[] buf = new byte[65535];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    s.receive(p);
    SipMessage m =
        DECODER.decode(java.util.Arrays.copyOf(buf, p.getLength()), p.getLength(), false);
    assertNull(m.error());
    return m;
  }

  @Test
  void answersAnOptionsSentToAnyOfTheMachinesAddresses() throws Exception {
    List<InetAddress> addresses = ipv4Addresses();
    assertFalse(addresses.isEmpty());
    assertTrue(
        stack.config().myself().servedHosts().contains("127.0.0.1"),
        "interface addresses are served: " + stack.config().myself().servedHosts());
    for (InetAddress a : addresses) {
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(a, 0))) {
        s.setSoTimeout(3000);
        String host = a.getHostAddress();
        String options =
            "OPTIONS sip:"
                + host
                + ":"
                + port
                + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP "
                + host
                + ":"
                + s.getLocalPort()
                + ";branch=z9hG4bKw"
                + Math.abs(host.hashCode())
                + "\r\nMax-Forwards: 70\r\nFrom: <sip:t@"
                + host
                + ">;tag=1\r\nTo: <sip:"
                + host
                + ">\r\nCall-ID: w"
                + host
                + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
        SipMessage answer = exchange(s, a, options);
        assertEquals(200, answer.status(), "OPTIONS to " + host + " is for the SBC itself");
      }
    }
  }

  @Test
  void forwardedMessagesNameTheInterfaceAddressNeverTheWildcard() throws Exception {
    try (DatagramSocket caller = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      caller.setSoTimeout(3000);
      String invite =
          "INVITE sip:bob@example.com SIP/2.0\r\n"
              + "Via: SIP/2.0/UDP 127.0.0.1:"
              + caller.getLocalPort()
              + ";branch=z9hG4bKwild1;rport\r\n"
              + "Max-Forwards: 70\r\n"
              + "From: <sip:alice@example.com>;tag=a\r\n"
              + "To: <sip:bob@example.com>\r\n"
              + "Call-ID: wildcard-1\r\n"
              + "CSeq: 1 INVITE\r\n"
              + "Contact: <sip:alice@127.0.0.1:"
              + caller.getLocalPort()
              + ">\r\n"
              + "Content-Length: 0\r\n\r\n";
      byte[] b = invite.getBytes(StandardCharsets.ISO_8859_1);
      caller.send(new DatagramPacket(b, b.length, InetAddress.getByName("127.0.0.1"), port));
      byte[] buf = new byte[65535];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      backend.receive(p);
      SipMessage fwd =
          DECODER.decode(java.util.Arrays.copyOf(buf, p.getLength()), p.getLength(), false);
      assertNull(fwd.error());
      assertEquals("127.0.0.1", fwd.topVia().host(), "the address the backend can answer to");
      assertEquals(port, fwd.topVia().port());
      String rr = fwd.headerValue(HeaderName.RECORD_ROUTE);
      assertNotNull(rr);
      assertTrue(rr.startsWith("<sip:127.0.0.1:" + port + ";"), rr);
      assertFalse(
          new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1).contains("0.0.0.0"));
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the INVITE was not forwarded", e);
    }
  }

  @Test
  void myselfOfAWildcardListenerIncludesEveryInterfaceAddress() throws Exception {
    Myself m = stack.config().myself();
    for (InetAddress a : ipv4Addresses()) {
      assertTrue(m.isMine(a.getHostAddress(), port), a + " is this SBC");
    }
    assertFalse(m.isMine("192.0.2.99", port), "another host is not");
    assertFalse(m.isMine("127.0.0.1", port + 1), "another port is not");
  }
}
