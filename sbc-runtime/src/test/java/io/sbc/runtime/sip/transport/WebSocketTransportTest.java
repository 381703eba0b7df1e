package io.sbc.runtime.sip.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.runtime.SbcStack;
import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * SIP over WebSocket (RFC 7118) with the JDK's WebSocket client against a running stack: the
 * upgrade with and without the {@code sip} subprotocol, one message per frame, CRLF keepalives, a
 * call from the WebSocket client to a UDP callee with its double Record-Route, and the callee's
 * in-dialog request reaching the client down its flow (RFC 5626), then 430 once the client is gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketTransportTest {
  private static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  private Vertx vertx;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeAll
  void startVertx() {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(2));
  }

  @AfterAll
  void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeAll() {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception e) {
        // best effort
      }
    }
    opened.clear();
  }

  @Test
  void upgradeWithoutTheSipSubprotocolIsRefused() throws Exception {
    Sbc sbc = start(0, 300, 30);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sbc.wsPort)) {
      s.setSoTimeout(3000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                  + "Sec-WebSocket-Protocol: chat\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 400", answer);
    }
  }

  @Test
  void aConnectionThatNeverUpgradesIsClosed() throws Exception {
    Sbc sbc = start(0, 300, 1);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sbc.wsPort)) {
      s.setSoTimeout(5000);
      long t0 = System.nanoTime();
      assertEquals(-1, s.getInputStream().read(), "closed without an answer");
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(ms >= 800 && ms < 4000, "closed after " + ms + " ms");
    }
  }

  @Test
  void optionsOverWebSocketIsAnsweredInAFrameAndCrlfKeepalivesArePonged() throws Exception {
    Sbc sbc = start(0, 300, 30);
    Client c = connect(sbc);
    c.send(
        "OPTIONS sip:127.0.0.1:"
            + sbc.wsPort
            + ";transport=ws SIP/2.0\r\n"
            + "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK-ws-1\r\n"
            + "Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=1\r\n"
            + "To: <sip:127.0.0.1>\r\nCall-ID: ws-options-1\r\nCSeq: 1 OPTIONS\r\n"
            + "Content-Length: 0\r\n\r\n");
    SipMessage r = c.message(3000);
    assertNotNull(r, "no answer over the WebSocket");
    assertEquals(200, r.status());
    assertEquals("ws-options-1", r.callId());
    c.send("\r\n\r\n");
    assertEquals("\r\n", c.poll(3000), "RFC 5626 3.5.1 pong inside a frame");
    assertEquals(1, sbc.stack.transports().webSocketConnections());
  }

  @Test
  void callFromWebSocketAndTheCalleesByeGoesDownTheFlowThen430() throws Exception {
    try (DatagramSocket uas = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      uas.setSoTimeout(3000);
      Sbc sbc = start(uas.getLocalPort(), 300, 30);
      Client c = connect(sbc);
      String invite =
          "INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"
              + "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK-inv-1\r\n"
              + "Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=a1\r\n"
              + "To: <sip:bob@127.0.0.1>\r\nCall-ID: ws-call-1\r\nCSeq: 1 INVITE\r\n"
              + "Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws;ob>\r\n"
              + "Content-Length: 0\r\n\r\n";
      c.send(invite);
      DatagramPacket p = receive(uas);
      SipMessage forwarded = decode(p);
      List<String> rr = values(forwarded, HeaderName.RECORD_ROUTE);
      assertEquals(2, rr.size(), "a Record-Route per transport (RFC 5658): " + rr);
      assertTrue(
          rr.get(0).contains(":" + sbc.udpPort) && !rr.get(0).contains("transport="), rr.get(0));
      assertTrue(rr.get(1).contains(":" + sbc.wsPort + ";transport=ws"), rr.get(1));
      assertTrue(
          forwarded
              .text(forwarded.headerLineStart(forwarded.viaHeaderIndex(0)), forwarded.length())
              .startsWith("Via: SIP/2.0/UDP "));
      // The callee answers 200 with the Record-Route copied, and later hangs up.
      String ok =
          response(forwarded, "200 OK", "b1", "<sip:bob@127.0.0.1:" + uas.getLocalPort() + ">");
      uas.send(
          new DatagramPacket(
              ok.getBytes(StandardCharsets.UTF_8), ok.length(), p.getSocketAddress()));
      SipMessage answered = c.nextResponse(3000);
      assertEquals(200, answered.status());
      String bye = bye(rr, uas.getLocalPort(), "z9hG4bK-bye-1", 1);
      uas.send(
          new DatagramPacket(
              bye.getBytes(StandardCharsets.UTF_8), bye.length(), p.getSocketAddress()));
      SipMessage byeIn = c.message(3000);
      assertNotNull(byeIn, "the BYE did not come down the WebSocket");
      assertEquals("BYE", byeIn.method());
      // The client is gone: the next request for it fails its flow.
      c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(3, TimeUnit.SECONDS);
      long until = System.currentTimeMillis() + 3000;
      while (sbc.stack.transports().webSocketConnections() > 0
          && System.currentTimeMillis() < until) {
        Thread.sleep(20);
      }
      String bye2 = bye(rr, uas.getLocalPort(), "z9hG4bK-bye-2", 2);
      uas.send(
          new DatagramPacket(
              bye2.getBytes(StandardCharsets.UTF_8), bye2.length(), p.getSocketAddress()));
      SipMessage failed = decode(receive(uas));
      assertEquals(430, failed.status(), "RFC 5626 5.3: Flow Failed");
    }
  }

  @Test
  void aSilentClientIsPingedAndKeptWhileItAnswersAndClosedWhenItDoesNot() throws Exception {
    Sbc sbc = start(0, 3, 30, 1);
    // The JDK client answers pings with pongs by itself: it stays.
    Client live = connect(sbc);
    // A raw client that upgrades and then never answers.
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), sbc.wsPort)) {
      s.setSoTimeout(8000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                  + "Sec-WebSocket-Protocol: sip\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      String head = readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      assertTrue(head.toLowerCase().contains("sec-websocket-protocol: sip"), head);
      long t0 = System.nanoTime();
      int pings = 0;
      int b;
      while ((b = in.read()) >= 0) {
        if (b == 0x89) { // FIN + ping, unmasked from a server
          pings++;
          in.skip(in.read() & 0x7F);
        }
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(pings >= 1, "pinged before being closed");
      assertTrue(ms >= 2000 && ms < 7000, "closed after " + ms + " ms without an answer");
    }
    assertTrue(live.pings > 0, "the live client was pinged");
    // The close the raw client saw is forgotten by the transport just after (its close listener).
    long until = System.currentTimeMillis() + 2000;
    while (sbc.stack.transports().webSocketConnections() > 1
        && System.currentTimeMillis() < until) {
      Thread.sleep(20);
    }
    assertEquals(1, sbc.stack.transports().webSocketConnections(), "the live client is kept");
    assertTrue(sbc.stack.transports().closedIdle() >= 1);
  }

  private static String readHead(InputStream in) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      sb.append((char) c);
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- helpers

  private static String bye(List<String> rr, int uasPort, String branch, int cseq) {
    return "BYE sip:alice@df7jal23ls0d.invalid;transport=ws SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:"
        + uasPort
        + ";branch="
        + branch
        + "\r\nMax-Forwards: 70\r\n"
        + "Route: "
        + rr.get(0)
        + ", "
        + rr.get(1)
        + "\r\nFrom: <sip:bob@127.0.0.1>;tag=b1\r\nTo: <sip:alice@example.com>;tag=a1\r\n"
        + "Call-ID: ws-call-1\r\nCSeq: "
        + cseq
        + " BYE\r\nContent-Length: 0\r\n\r\n";
  }

  private static String response(SipMessage req, String status, String toTag, String contact) {
    StringBuilder sb = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
    for (int i = 0; i < req.headerCount(); i++) {
      byte code = req.headerCode(i);
      if (code == HeaderName.VIA
          || code == HeaderName.RECORD_ROUTE
          || code == HeaderName.FROM
          || code == HeaderName.CALL_ID
          || code == HeaderName.CSEQ) {
        sb.append(req.text(req.headerLineStart(i), req.headerLineEnd(i)));
      } else if (code == HeaderName.TO) {
        String line = req.text(req.headerLineStart(i), req.headerLineEnd(i));
        sb.append(line, 0, line.length() - 2).append(";tag=").append(toTag).append("\r\n");
      }
    }
    return sb.append("Contact: ")
        .append(contact)
        .append("\r\nContent-Length: 0\r\n\r\n")
        .toString();
  }

  private static List<String> values(SipMessage m, byte code) {
    List<String> out = new ArrayList<>();
    for (int h = m.findHeader(code); h >= 0; h = m.findHeader(code, h + 1)) {
      for (String v : m.text(m.headerValueStart(h), m.headerValueEnd(h)).split(",")) {
        out.add(v.trim());
      }
    }
    return out;
  }

  private static DatagramPacket receive(DatagramSocket s) throws Exception {
    while (true) {
      DatagramPacket p = new DatagramPacket(new byte[65535], 65535);
      s.receive(p);
      SipMessage m = decode(p);
      if (m.isRequest() || m.status() >= 200 || m.status() == 430) {
        if (m.isRequest() || m.status() != 100) {
          return p;
        }
      }
    }
  }

  private static SipMessage decode(DatagramPacket p) {
    byte[] b = java.util.Arrays.copyOf(p.getData(), p.getLength());
    return DECODER.decode(b, b.length, false);
  }

  private Client connect(Sbc sbc) throws Exception {
    Client c = new Client();
    c.ws =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .subprotocols("sip")
            .buildAsync(URI.create("ws://127.0.0.1:" + sbc.wsPort + "/"), c)
            .get(5, TimeUnit.SECONDS);
    assertEquals("sip", c.ws.getSubprotocol());
    opened.add(() -> c.ws.abort());
    return c;
  }

  /** A WebSocket client that queues each text message it receives. */
  static final class Client implements WebSocket.Listener {
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    volatile int pings;
    private final StringBuilder partial = new StringBuilder();
    WebSocket ws;

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received.add(partial.toString());
        partial.setLength(0);
      }
      w.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      return onText(w, new String(b, StandardCharsets.UTF_8), last);
    }

    @Override
    public CompletionStage<?> onPing(WebSocket w, ByteBuffer message) {
      pings++;
      return WebSocket.Listener.super.onPing(w, message);
    }

    void send(String text) throws Exception {
      ws.sendText(text, true).get(3, TimeUnit.SECONDS);
    }

    String poll(long ms) throws InterruptedException {
      return received.poll(ms, TimeUnit.MILLISECONDS);
    }

    SipMessage message(long ms) throws InterruptedException {
      String s = poll(ms);
      if (s == null) {
        return null;
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return DECODER.decode(b, b.length, false);
    }

    /** The next final or provisional response other than 100. */
    SipMessage nextResponse(long ms) throws InterruptedException {
      long until = System.currentTimeMillis() + ms;
      while (System.currentTimeMillis() < until) {
        SipMessage m = message(until - System.currentTimeMillis());
        if (m != null && !m.isRequest() && m.status() != 100) {
          return m;
        }
      }
      return null;
    }
  }

  /** A running SBC with a UDP and a WebSocket listener. */
  record Sbc(SbcStack stack, int udpPort, int wsPort) {}

  /**
   * Starts an SBC; with {@code backendPort} > 0, a route sends every request to 127.0.0.1 there.
   */
  private Sbc start(int backendPort, int idleSeconds, int messageSeconds) throws Exception {
    return start(backendPort, idleSeconds, messageSeconds, 30);
  }

  private Sbc start(int backendPort, int idleSeconds, int messageSeconds, int pingSeconds)
      throws Exception {
    int udpPort;
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      udpPort = s.getLocalPort();
    }
    int wsPort;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      wsPort = s.getLocalPort();
    }
    String name = "ws-it-" + wsPort;
    String yaml =
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: %s
        spec:
          listeners:
            - name: udp
              protocol: SIP-UDP
              address: "127.0.0.1"
              port: %d
            - name: ws
              protocol: SIP-WS
              address: "127.0.0.1"
              port: %d
          limits:
            tcpIdleTimeoutSeconds: %d
            tcpMessageTimeoutSeconds: %d
            webSocketPingSeconds: %d
          timers:
            t1: 50
            t2: 400
            t4: 500
        """
            .formatted(name, udpPort, wsPort, idleSeconds, messageSeconds, pingSeconds);
    if (backendPort > 0) {
      yaml +=
          """
          ---
          apiVersion: sbc.io/v1alpha1
          kind: SipRoute
          metadata:
            name: %s-route
          spec:
            parentRefs:
              - name: %s
            rules:
              - allowRelay: true
                backendRefs:
                  - uri: sip:127.0.0.1:%d
          """
              .formatted(name, name, backendPort);
    }
    Path file = Files.createTempFile("ws-it", ".yaml");
    try {
      Files.writeString(file, yaml);
      SbcStack stack = SbcStack.start(GatewayConfig.load(file, name), vertx);
      opened.add(stack);
      return new Sbc(stack, udpPort, wsPort);
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
