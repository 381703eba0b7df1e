package io.sbc.runtime.sip.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;

import io.netty.channel.epoll.Epoll;
import io.sbc.runtime.SbcStack;
import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.message.Via;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The SIP transports over real sockets on 127.0.0.1 / ::1: TCP framing (RFC 3261 section 18.3),
 * keep-alive (RFC 5626 section 3.5.1), the idle timeout, the connection caps (inbound, per source,
 * outbound), the message timeout, write backpressure, one connect per destination, the size limit,
 * IPv6, the spreading of UDP over SO_REUSEPORT sockets and responses over the request's connection
 * (RFC 3261 section 18.2.2). Every SBC runs as an {@link SbcStack} with its own YAML configuration.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportIntegrationTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);
  private static final int MAX_MESSAGE_SIZE = 2048;
  private static final AtomicInteger IDS = new AtomicInteger();

  private Vertx vertx;

  /** Everything a test opened, closed after it (stacks last-in first-out). */
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeAll
  void startVertx() {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(2));
  }

  @AfterAll
  void stopVertx() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
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

  // ---------------------------------------------------------------- 1. TCP framing

  @Test
  void tcpOptionsIsAnsweredOverTheSameConnection() throws Exception {
    Sbc sbc = start(new Limits(), "127.0.0.1", null);
    TcpClient c = tcp(sbc.address(sbc.tcpPort));
    String req = options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), "tcp-1", true);
    c.write(req);
    SipMessage r = c.read(2000);
    assertNotNull(r, "no answer over the connection");
    assertEquals(200, r.status(), r.toString());
    assertEquals("tcp-1", r.callId());
    assertEquals(topViaLine(req), topViaLine(r), "Via copied unchanged");
    // and a second request over the same connection
    c.write(options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), "tcp-1b", true));
    SipMessage r2 = c.read(2000);
    assertNotNull(r2);
    assertEquals("tcp-1b", r2.callId());
    assertEquals(1, sbc.stack.transports().openConnections());
  }

  @Test
  void pipelinedMessagesInOneWriteAreAllAnswered() throws Exception {
    Sbc sbc = start(new Limits(), "127.0.0.1", null);
    TcpClient c = tcp(sbc.address(sbc.tcpPort));
    String a = options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), "pipe-a", true);
    String b = options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), "pipe-b", true);
    // A body on the first one: framing must use Content-Length, not the next empty line.
    String body = "v=0\r\n\r\nnot a message start\r\n";
    String withBody =
        a.replace(
                "Content-Length: 0\r\n",
                "Content-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n")
            + body;
    c.write(withBody + b + a.replace("pipe-a", "pipe-c"));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      SipMessage r = c.read(2000);
      assertNotNull(r, "answer " + (i + 1) + " of 3 missing");
      assertEquals(200, r.status(), r.toString());
      ids.add(r.callId());
    }
    assertEquals(List.of("pipe-a", "pipe-b", "pipe-c"), ids);
  }

  @Test
  void messageSplitAcrossWritesIsAnswered() throws Exception {
    Sbc sbc = start(new Limits(), "127.0.0.1", null);
    TcpClient c = tcp(sbc.address(sbc.tcpPort));
    String req = options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), "split", true);
    String body = "hello body";
    req = req.replace("Content-Length: 0\r\n", "Content-Length: " + body.length() + "\r\n") + body;
    // Cut in the start line, inside the CRLFCRLF and inside the body.
    int empty = req.indexOf("\r\n\r\n");
    int[] cuts = {5, 40, empty + 1, empty + 3, req.length() - 4};
    int from = 0;
    for (int cut : cuts) {
      c.write(req.substring(from, cut));
      Thread.sleep(60);
      from = cut;
    }
    assertNull(c.read(100), "answered before the whole message arrived");
    c.write(req.substring(from));
    SipMessage r = c.read(2000);
    assertNotNull(r, "no answer to a message sent in pieces");
    assertEquals(200, r.status());
    assertEquals("split", r.callId());
  }

  @Test
  void messageWithoutContentLengthOnTcpGets400() throws Exception {
    Sbc sbc = start(new Limits(), "127.0.0.1", null);
    TcpClient c = tcp(sbc.address(sbc.tcpPort));
    // RFC 3261 section 18.3: Content-Length is mandatory on a stream.
    c.write(options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), "no-cl", false));
    SipMessage r = c.read(2000);
    assertNotNull(r, "no answer");
    assertEquals(400, r.status(), r.toString());
    assertEquals("no-cl", r.callId());
    // The stream is still framed: the next message is answered normally.
    c.write(options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), "after-no-cl", true));
    SipMessage r2 = c.read(2000);
    assertNotNull(r2);
    assertEquals(200, r2.status());
  }

  // ---------------------------------------------------------------- 2. keep-alive

  @Test
  void doubleCrlfPingGetsCrlfPongAndTheConnectionStaysUsable() throws Exception {
    Sbc sbc = start(new Limits(), "127.0.0.1", null);
    TcpClient c = tcp(sbc.address(sbc.tcpPort));
    for (int i = 0; i < 2; i++) {
      c.write("\r\n\r\n");
      assertEquals("\r\n", c.readExactly(2, 2000), "RFC 5626 3.5.1 pong");
    }
    // a ping arriving in two pieces
    c.write("\r\n");
    Thread.sleep(50);
    c.write("\r\n");
    assertEquals("\r\n", c.readExactly(2, 2000), "pong to a ping in two writes");
    c.write(options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), "after-ping", true));
    SipMessage r = c.read(2000);
    assertNotNull(r, "connection unusable after a ping");
    assertEquals(200, r.status());
    // a ping right behind a message, in the same write
    c.write(
        options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), "before-ping", true) + "\r\n\r\n");
    // The pong is written as the ping is framed, the 200 once the request is processed: the pong
    // may come first (the client skips it as padding before the 200) or after.
    c.skippedCrlf = 0;
    SipMessage r2 = c.read(2000);
    assertNotNull(r2);
    assertEquals("before-ping", r2.callId());
    if (c.skippedCrlf < 2) {
      assertEquals("\r\n", c.readExactly(2, 2000), "no pong to a ping behind a message");
    } else {
      assertEquals(2, c.skippedCrlf, "one pong");
    }
  }

  // ---------------------------------------------------------------- 3. idle timeout

  @Test
  void idleConnectionIsClosed() throws Exception {
    Limits lim = new Limits();
    lim.tcpIdleTimeoutSeconds = 1;
    Sbc sbc = start(lim, "127.0.0.1", null);
    TcpClient c = tcp(sbc.address(sbc.tcpPort));
    c.write(options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), "idle", true));
    assertNotNull(c.read(2000));
    assertTrue(await(() -> sbc.stack.transports().openConnections() == 1, 1000));
    long t0 = System.nanoTime();
    assertTrue(c.closedByPeer(3000), "idle connection still open after 3 s");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(ms < 2500, "closed after " + ms + " ms, want ~1 s");
    assertTrue(
        await(() -> sbc.stack.transports().openConnections() == 0, 2000),
        "openConnections " + sbc.stack.transports().openConnections());
  }

  // ---------------------------------------------------------------- 4. connection cap

  @Test
  void connectionsOverTheCapAreRefused() throws Exception {
    Limits lim = new Limits();
    lim.maxTcpConnections = 2;
    Sbc sbc = start(lim, "127.0.0.1", null);
    TransportLayer tl = sbc.stack.transports();
    TcpClient a = tcp(sbc.address(sbc.tcpPort));
    TcpClient b = tcp(sbc.address(sbc.tcpPort));
    assertTrue(await(() -> tl.openConnections() == 2, 2000), "" + tl.openConnections());
    long refusedBefore = tl.refusedConnections();
    TcpClient third = tcp(sbc.address(sbc.tcpPort));
    assertTrue(third.closedByPeer(2000), "third connection not closed");
    assertTrue(await(() -> tl.refusedConnections() == refusedBefore + 1, 2000));
    assertEquals(2, tl.openConnections());
    for (TcpClient c : List.of(a, b)) {
      c.write(options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), "cap-" + c.localPort(), true));
      SipMessage r = c.read(2000);
      assertNotNull(r, "one of the first two connections stopped working");
      assertEquals(200, r.status());
    }
    // A slot freed by a close is usable again.
    a.close();
    assertTrue(await(() -> tl.openConnections() == 1, 2000));
    TcpClient d = tcp(sbc.address(sbc.tcpPort));
    d.write(options(sbc.host(), sbc.tcpPort, "TCP", d.localPort(), "cap-d", true));
    assertNotNull(d.read(2000), "no answer on a connection taking a freed slot");
  }

  // ---------------------------------------------------------------- 5. size limit

  @Test
  void oversizedHeaderBlockOnTcpClosesTheConnection() throws Exception {
    Sbc sbc = start(new Limits(), "127.0.0.1", null);
    TcpClient c = tcp(sbc.address(sbc.tcpPort));
    String req = options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), "big-tcp", true);
    String big =
        req.replace("Max-Forwards", "X-Pad: " + "a".repeat(MAX_MESSAGE_SIZE) + "\r\nMax-Forwards");
    c.write(big);
    assertTrue(c.closedByPeer(2000), "oversized header block did not close the connection");
    assertTrue(await(() -> sbc.stack.transports().openConnections() == 0, 2000));
  }

  @Test
  void oversizedBodyOnTcpClosesTheConnection() throws Exception {
    Sbc sbc = start(new Limits(), "127.0.0.1", null);
    TcpClient c = tcp(sbc.address(sbc.tcpPort));
    String req = options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), "big-body", true);
    // Only the header block is sent: its Content-Length alone puts the message over the limit.
    c.write(req.replace("Content-Length: 0", "Content-Length: " + MAX_MESSAGE_SIZE));
    assertTrue(c.closedByPeer(2000), "a Content-Length over the limit did not close");
  }

  @Test
  void oversizedDatagramIsDroppedAndTheSbcStillAnswers() throws Exception {
    Sbc sbc = start(new Limits(), "127.0.0.1", null);
    DatagramSocket s = udp(LOOPBACK);
    String req = options(sbc.host(), sbc.udpPort, "UDP", s.getLocalPort(), "big-udp", true);
    String big =
        req.replace("Max-Forwards", "X-Pad: " + "a".repeat(MAX_MESSAGE_SIZE) + "\r\nMax-Forwards");
    send(s, big, sbc.address(sbc.udpPort));
    assertNull(receive(s, 700), "an oversized datagram was answered");
    send(
        s,
        options(sbc.host(), sbc.udpPort, "UDP", s.getLocalPort(), "small-udp", true),
        sbc.address(sbc.udpPort));
    SipMessage r = receive(s, 2000);
    assertNotNull(r, "the SBC no longer answers after an oversized datagram");
    assertEquals(200, r.status());
    assertEquals("small-udp", r.callId());
    // Exactly at the limit is still a message.
    String exact =
        padTo(
            options(sbc.host(), sbc.udpPort, "UDP", s.getLocalPort(), "exact", true),
            MAX_MESSAGE_SIZE);
    send(s, exact, sbc.address(sbc.udpPort));
    SipMessage r2 = receive(s, 2000);
    assertNotNull(r2, "a datagram of exactly maxMessageSize bytes was dropped");
    assertEquals("exact", r2.callId());
  }

  // ---------------------------------------------------------------- 6. IPv6

  @Test
  void ipv6ListenersAnswerOptions() throws Exception {
    InetAddress v6 = InetAddress.getByName("::1");
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(v6, 0));
        ServerSocket probe2 = new ServerSocket()) {
      probe2.bind(new InetSocketAddress(v6, 0));
    } catch (IOException e) {
      abort("IPv6 loopback ::1 is not available on this machine: " + e);
    }
    Sbc sbc = start(new Limits(), "::1", null);
    assertTrue(sbc.host().equals("[::1]"));
    DatagramSocket s = udp(v6);
    String req =
        options("[::1]", sbc.udpPort, "UDP", s.getLocalPort(), "v6-udp", true)
            .replace("Via: SIP/2.0/UDP 127.0.0.1:", "Via: SIP/2.0/UDP [::1]:");
    send(s, req, sbc.address(sbc.udpPort));
    SipMessage r = receive(s, 2000);
    assertNotNull(r, "no answer over UDP/IPv6");
    assertEquals(200, r.status(), r.toString());
    assertEquals(topViaLine(req), topViaLine(r), "the request's Via comes back");

    TcpClient c = tcp(sbc.address(sbc.tcpPort));
    String treq =
        options("[::1]", sbc.tcpPort, "TCP", c.localPort(), "v6-tcp", true)
            .replace("Via: SIP/2.0/TCP 127.0.0.1:", "Via: SIP/2.0/TCP [::1]:");
    c.write(treq);
    SipMessage tr = c.read(2000);
    assertNotNull(tr, "no answer over TCP/IPv6");
    assertEquals(200, tr.status(), tr.toString());
    assertEquals(topViaLine(treq), topViaLine(tr));
  }

  // ---------------------------------------------------------------- 7. UDP spreading

  @Test
  void udpIsSpreadOverOneSocketPerLoop() throws Exception {
    Sbc sbc = start(new Limits(), "127.0.0.1", null);
    TransportLayer tl = sbc.stack.transports();
    requireNativeEpoll(tl);
    Listener udpListener = sbc.listener("udp");
    assertEquals(2, tl.udpDatagramCounts(udpListener).length, "one socket per event loop");
    assertEquals(0, tl.udpDatagramCounts(sbc.listener("tcp")).length);
    for (int i = 0; i < 40; i++) {
      DatagramSocket s = udp(LOOPBACK);
      send(
          s,
          options(sbc.host(), sbc.udpPort, "UDP", s.getLocalPort(), "spread-" + i, true),
          sbc.address(sbc.udpPort));
      SipMessage r = receive(s, 2000);
      assertNotNull(r, "client " + i + " got no answer");
      assertEquals("spread-" + i, r.callId());
    }
    assertTrue(
        await(() -> Arrays.stream(tl.udpDatagramCounts(udpListener)).sum() == 40, 2000),
        Arrays.toString(tl.udpDatagramCounts(udpListener)));
    long[] counts = tl.udpDatagramCounts(udpListener);
    for (long n : counts) {
      assertTrue(n > 0, "a socket received nothing: " + Arrays.toString(counts));
    }
    // The shutdown log line the system tests read.
    List<String> lines = new CopyOnWriteArrayList<>();
    java.util.logging.Logger jul =
        java.util.logging.Logger.getLogger(TransportLayer.class.getName());
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            String msg = r.getMessage();
            if (r.getParameters() != null && r.getParameters().length > 0) {
              msg = String.format(msg, r.getParameters());
            }
            lines.add(msg);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    jul.addHandler(h);
    try {
      sbc.stack.close();
    } finally {
      jul.removeHandler(h);
    }
    String expected = "udp listener udp datagrams per socket: " + Arrays.toString(counts);
    assertTrue(lines.contains(expected), "missing '" + expected + "' in " + lines);
  }

  /**
   * SO_REUSEPORT lets a socket of the same user join a port silently: a second SBC on the UDP port
   * of a running one must fail to start, not take a share of its datagrams.
   */
  @Test
  void secondSbcOnTheSameUdpPortFailsToBind() throws Exception {
    Sbc first = start(new Limits(), "127.0.0.1", null);
    int freeTcp = freeTcpPort(LOOPBACK);
    SbcStack.BindException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            SbcStack.BindException.class,
            () -> start(new Limits(), "127.0.0.1", null, first.udpPort, freeTcp));
    assertTrue(e.getMessage().contains("'udp'"), e.getMessage());
    // the first still answers, and the failed one left nothing bound on its TCP port
    DatagramSocket s = udp(LOOPBACK);
    send(
        s,
        options(first.host(), first.udpPort, "UDP", s.getLocalPort(), "still-mine", true),
        first.address(first.udpPort));
    SipMessage r = receive(s, 2000);
    assertNotNull(r);
    assertEquals("still-mine", r.callId());
    try (ServerSocket again = new ServerSocket()) {
      again.bind(new InetSocketAddress(LOOPBACK, freeTcp));
    }
  }

  // ---------------------------------------------------------------- 8. response over the
  // connection

  @Test
  void responseGoesBackOverTheRequestsConnection() throws Exception {
    DatagramSocket backend = udp(LOOPBACK);
    Sbc sbc = start(new Limits(), "127.0.0.1", backend.getLocalPort());
    // The port the client claims to listen on (Via sent-by): nothing may connect there.
    ServerSocket decoy = new ServerSocket();
    opened.add(decoy);
    decoy.bind(new InetSocketAddress(LOOPBACK, 0));
    decoy.setSoTimeout(1);
    TcpClient c = tcp(sbc.address(sbc.tcpPort));
    assertTrue(c.localPort() != decoy.getLocalPort());
    String invite =
        "INVITE sip:bob@127.0.0.1:"
            + sbc.tcpPort
            + ";transport=tcp SIP/2.0\r\n"
            + "Via: SIP/2.0/TCP 127.0.0.1:"
            + decoy.getLocalPort()
            + ";branch=z9hG4bK-conn-1\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
            + "To: <sip:bob@127.0.0.1>\r\n"
            + "Call-ID: conn-invite\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Contact: <sip:alice@127.0.0.1:"
            + decoy.getLocalPort()
            + ";transport=tcp>\r\n"
            + "Content-Length: 0\r\n\r\n";
    c.write(invite);
    SipMessage trying = c.read(2000);
    assertNotNull(trying, "no 100 Trying over the connection");
    assertEquals(100, trying.status());

    backend.setSoTimeout(2000);
    byte[] buf = new byte[65_536];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    backend.receive(p);
    byte[] fwdBytes = Arrays.copyOf(p.getData(), p.getLength());
    SipMessage fwd = DECODER.decode(fwdBytes, fwdBytes.length, false);
    assertNull(fwd.error());
    assertEquals("INVITE", fwd.method());
    assertEquals(2, fwd.vias().size(), "the SBC's Via on top of the client's");
    assertEquals("UDP", fwd.topVia().transport());
    // The backend answers as a UAS does (RFC 3261 8.2.6.2): the Via lines copied in order, to
    // the top Via's sent-by (section 18.2.2).
    String ok = okFor(fwd, "be1");
    Via top = fwd.topVia();
    InetSocketAddress sentBy = new InetSocketAddress(InetAddress.getByName(top.host()), top.port());
    send(backend, ok, sentBy);

    SipMessage answer = c.read(3000);
    assertNotNull(answer, "the 200 did not come back over the request's connection");
    assertEquals(200, answer.status(), answer.toString());
    assertEquals("conn-invite", answer.callId());
    assertEquals(1, answer.vias().size(), "the SBC's Via removed");
    assertTrue(answer.topVia().branch().equals("z9hG4bK-conn-1"));
    try (Socket wrong = decoy.accept()) {
      throw new AssertionError("the SBC connected to the Via port " + wrong.getPort());
    } catch (SocketTimeoutException expected) {
      // nothing connected to the sent-by port
    }
    assertEquals(1, sbc.stack.transports().openConnections(), "no second connection opened");
  }

  // ---------------------------------------------------------------- 9. native transport

  /**
   * The runtime ships Netty's epoll transport for Linux x86_64: there it must be in use (UDP
   * spreading and SO_REUSEPORT depend on it); elsewhere the test says it is skipped.
   */
  @Test
  void nativeEpollTransportIsInUse() throws Exception {
    Sbc sbc = start(new Limits(), "127.0.0.1", null);
    requireNativeEpoll(sbc.stack.transports());
  }

  // ---------------------------------------------------------------- 10. per-source cap

  @Test
  void connectionsBeyondASourcesShareAreClosedAndOtherSourcesStillGetIn() throws Exception {
    Limits lim = new Limits();
    lim.maxTcpConnectionsPerSource = 3;
    Sbc sbc = start(lim, "127.0.0.1", null);
    TransportLayer tl = sbc.stack.transports();
    InetAddress five = InetAddress.getByName("127.0.0.5");
    InetAddress six = InetAddress.getByName("127.0.0.6");
    List<TcpClient> fives = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      fives.add(tcp(sbc.address(sbc.tcpPort), five));
    }
    assertTrue(await(() -> tl.inboundConnections() == 3, 2000), "" + tl.inboundConnections());
    TcpClient fourth = tcp(sbc.address(sbc.tcpPort), five);
    assertTrue(fourth.closedByPeer(2000), "a 4th connection from 127.0.0.5 was kept");
    assertTrue(await(() -> tl.refusedPerSource() == 1, 2000), "" + tl.refusedPerSource());
    assertEquals(3, tl.inboundConnections());

    TcpClient other = tcp(sbc.address(sbc.tcpPort), six);
    assertAnswered(sbc, other, "other-source");
    for (TcpClient c : fives) {
      assertAnswered(sbc, c, "five-" + c.localPort());
    }
    // A slot of 127.0.0.5 freed by a close is its own again.
    fives.get(0).close();
    assertTrue(await(() -> tl.inboundConnections() == 3, 2000), "" + tl.inboundConnections());
    assertAnswered(sbc, tcp(sbc.address(sbc.tcpPort), five), "five-again");
    assertEquals(1, tl.refusedPerSource());
    assertEquals(0, tl.refusedInbound());
    assertEquals(1, tl.refusedConnections());
  }

  // ---------------------------------------------------------------- 11. inbound vs outbound caps

  @Test
  void inboundAndOutboundConnectionsHaveSeparateCaps() throws Exception {
    Limits lim = new Limits();
    lim.maxTcpConnections = 1;
    lim.maxOutboundTcpConnections = 1;
    Sbc sbc = start(lim, "127.0.0.1", null);
    TransportLayer tl = sbc.stack.transports();
    Loop loop = sbc.stack.loops().get(0);
    TcpClient in = tcp(sbc.address(sbc.tcpPort));
    assertTrue(await(() -> tl.inboundConnections() == 1, 2000));

    // The inbound cap is reached, yet the SBC may still connect out.
    ServerSocket first = serverSocket();
    Sends ok = new Sends();
    onLoop(loop, () -> tl.send(loop, flowTo(sbc, first), bytes("first;"), ok.failure(loop)));
    try (Socket s = first.accept()) {
      s.setSoTimeout(2000);
      assertEquals("first;", new String(s.getInputStream().readNBytes(6), StandardCharsets.UTF_8));
      assertEquals(1, tl.outboundConnections());

      // The outbound cap is reached: a send to a second destination fails without a connect.
      ServerSocket second = serverSocket();
      second.setSoTimeout(300);
      Sends refused = new Sends();
      onLoop(
          loop, () -> tl.send(loop, flowTo(sbc, second), bytes("second;"), refused.failure(loop)));
      assertTrue(await(() -> refused.failed.get() == 1, 2000), "the refused send did not fail");
      assertTrue(refused.onItsLoop.get(), "onFailure ran off the sending loop");
      assertEquals(1, tl.refusedOutbound());
      try (Socket wrong = second.accept()) {
        throw new AssertionError("the SBC connected beyond maxOutboundTcpConnections");
      } catch (SocketTimeoutException expected) {
        // nothing connected
      }

      // And the outbound connection did not take an inbound slot, nor the inbound one an outbound.
      TcpClient secondIn = tcp(sbc.address(sbc.tcpPort));
      assertTrue(secondIn.closedByPeer(2000), "a 2nd inbound connection was kept");
      assertTrue(await(() -> tl.refusedInbound() == 1, 2000));
      assertEquals(1, tl.inboundConnections());
      assertEquals(1, tl.outboundConnections());
      assertEquals(0, ok.failed.get());
      assertAnswered(sbc, in, "inbound-still-served");
    }
  }

  // ---------------------------------------------------------------- 12. one connect per
  // destination

  /**
   * Sends to a destination without a connection, from both loops at once: they wait for one connect
   * and go out over it in order. With maxOutboundTcpConnections 1, a second connect would be
   * refused and counted.
   */
  @Test
  void concurrentSendsToOneDestinationOpenOneConnection() throws Exception {
    Limits lim = new Limits();
    lim.maxOutboundTcpConnections = 1;
    Sbc sbc = start(lim, "127.0.0.1", null);
    TransportLayer tl = sbc.stack.transports();
    ServerSocket dest = serverSocket();
    Flow flow = flowTo(sbc, dest);
    Sends sends = new Sends();
    List<Loop> loops = sbc.stack.loops();
    assertEquals(2, loops.size());
    int n = 20;
    // Each loop sends its 20 in one task: on the loop that connects, the connect cannot complete
    // before the task ends, so the later sends find it in progress.
    List<java.util.concurrent.Future<?>> tasks = new ArrayList<>();
    for (Loop l : loops) {
      String prefix = l == loops.get(0) ? "a" : "b";
      tasks.add(
          l.eventLoop()
              .submit(
                  () -> {
                    for (int i = 0; i < n; i++) {
                      tl.send(
                          l, flow, bytes(String.format("%s%02d;", prefix, i)), sends.failure(l));
                    }
                  }));
    }
    for (java.util.concurrent.Future<?> t : tasks) {
      t.get(5, TimeUnit.SECONDS);
    }
    dest.setSoTimeout(2000);
    try (Socket s = dest.accept()) {
      s.setSoTimeout(2000);
      String got = new String(s.getInputStream().readNBytes(2 * n * 4), StandardCharsets.UTF_8);
      assertEquals(2 * n * 4, got.length(), "only " + got);
      List<String> a = new ArrayList<>();
      List<String> b = new ArrayList<>();
      for (String m : got.split(";")) {
        (m.startsWith("a") ? a : b).add(m);
      }
      List<String> wantA = new ArrayList<>();
      List<String> wantB = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        wantA.add(String.format("a%02d", i));
        wantB.add(String.format("b%02d", i));
      }
      assertEquals(wantA, a, "the first loop's sends out of order");
      assertEquals(wantB, b, "the second loop's sends out of order");
      dest.setSoTimeout(300);
      try (Socket second = dest.accept()) {
        throw new AssertionError("a second connection to the destination");
      } catch (SocketTimeoutException expected) {
        // one connection
      }
      assertEquals(1, tl.outboundConnections());
    }
    assertEquals(0, tl.refusedOutbound(), "a second connect was attempted");
    assertEquals(0, sends.failed.get());
  }

  @Test
  void sendsWaitingForAFailedConnectAllFail() throws Exception {
    Limits lim = new Limits();
    lim.maxOutboundTcpConnections = 1;
    Sbc sbc = start(lim, "127.0.0.1", null);
    TransportLayer tl = sbc.stack.transports();
    Loop loop = sbc.stack.loops().get(0);
    int closedPort;
    try (ServerSocket gone = new ServerSocket(0, 1, LOOPBACK)) {
      closedPort = gone.getLocalPort();
    }
    Flow flow = new Flow(sbc.listener("tcp"), new InetSocketAddress(LOOPBACK, closedPort), null);
    Sends sends = new Sends();
    onLoop(
        loop,
        () -> {
          for (int i = 0; i < 20; i++) {
            tl.send(loop, flow, bytes("x;"), sends.failure(loop));
          }
        });
    assertTrue(await(() -> sends.failed.get() == 20, 7000), "failed: " + sends.failed.get());
    assertTrue(sends.onItsLoop.get(), "onFailure ran off the sending loop");
    assertEquals(0, tl.refusedOutbound(), "more than one connect was attempted");
    assertTrue(await(() -> tl.outboundConnections() == 0, 2000));
  }

  /** What waits for a connect is bounded like a write queue: past the cap a send fails at once. */
  @Test
  void bytesWaitingForAConnectAreCapped() throws Exception {
    Limits lim = new Limits();
    lim.maxTcpWriteQueueBytes = 65_535;
    Sbc sbc = start(lim, "127.0.0.1", null);
    TransportLayer tl = sbc.stack.transports();
    Loop loop = sbc.stack.loops().get(0);
    ServerSocket dest = serverSocket();
    Flow flow = flowTo(sbc, dest);
    Sends first = new Sends();
    Sends second = new Sends();
    byte[] big = new byte[40_000];
    Arrays.fill(big, (byte) 'x');
    onLoop(
        loop,
        () -> {
          tl.send(loop, flow, big, first.failure(loop));
          tl.send(loop, flow, big, second.failure(loop));
        });
    assertTrue(await(() -> second.failed.get() == 1, 2000), "the send past the cap did not fail");
    assertEquals(1, tl.droppedWhileConnecting());
    dest.setSoTimeout(2000);
    try (Socket s = dest.accept()) {
      s.setSoTimeout(2000);
      assertEquals(big.length, s.getInputStream().readNBytes(big.length).length);
    }
    assertEquals(0, first.failed.get());
  }

  // ---------------------------------------------------------------- 13. write backpressure

  /**
   * A peer that never reads: the kernel buffers fill, then the SBC's queue; the send that would
   * pass maxTcpWriteQueueBytes closes the connection, and every send that did not reach the peer
   * reports its failure. Without the cap the SBC would queue all 64 MiB.
   */
  @Test
  void aPeerThatDoesNotReadIsDroppedAndTheUndeliveredSendsFail() throws Exception {
    Limits lim = new Limits();
    lim.maxTcpWriteQueueBytes = 65_535;
    Sbc sbc = start(lim, "127.0.0.1", null);
    TransportLayer tl = sbc.stack.transports();
    Loop loop = sbc.stack.loops().get(0);
    ServerSocket sink = new ServerSocket();
    opened.add(sink);
    sink.setReceiveBufferSize(4096); // inherited by the accepted socket: no autotuning
    sink.bind(new InetSocketAddress(LOOPBACK, 0));
    Flow flow = flowTo(sbc, sink);
    int chunk = 16 * 1024;
    byte[] data = new byte[chunk];
    Arrays.fill(data, (byte) 'x');
    int attempts = (64 << 20) / chunk;
    Sends sends = new Sends();
    int sent = 0;
    while (sent < attempts && tl.closedSlowWriter() == 0) {
      onLoop(loop, () -> tl.send(loop, flow, data, sends.failure(loop)));
      sent++;
    }
    assertEquals(1, tl.closedSlowWriter(), "no connection closed after " + sent + " sends");
    assertTrue(await(() -> tl.outboundConnections() == 0, 2000), "the connection stayed open");
    // Drain what reached the peer: the sends that did not fail, the last of them perhaps cut.
    long delivered = 0;
    try (Socket s = sink.accept()) {
      s.setSoTimeout(5000);
      InputStream in = s.getInputStream();
      byte[] buf = new byte[65_536];
      for (int r; (r = in.read(buf)) >= 0; ) {
        delivered += r;
      }
    } catch (SocketException reset) {
      // a reset after the data is as good as the end of the stream here
    }
    int finalSent = sent;
    long kept = delivered;
    assertTrue(
        await(() -> finalSent - sends.failed.get() <= kept / chunk + 1, 2000),
        "sends " + finalSent + ", failed " + sends.failed.get() + ", delivered " + kept);
    int ok = sent - sends.failed.get();
    assertTrue(sends.failed.get() >= 1, "no send failed");
    assertTrue(sends.onItsLoop.get(), "onFailure ran off the sending loop");
    assertTrue(
        delivered >= (long) ok * chunk && delivered <= (long) (ok + 1) * chunk,
        "delivered " + delivered + " bytes for " + ok + " sends reported sent");
    // Memory: what was accepted fits the SBC's cap plus what the kernels buffer.
    long bound = 65_535 + kernelMax("tcp_wmem") + 64 * 1024;
    assertTrue(
        (long) ok * chunk <= bound,
        ok * chunk + " bytes accepted for a peer that does not read, bound " + bound);
  }

  // ---------------------------------------------------------------- 14. message timeout

  /**
   * Slowloris: half a message, a message trickling a byte at a time, and a connection that never
   * sends are closed after tcpMessageTimeoutSeconds; idle timeout is 300 s and plays no part. A
   * connection that sent whole messages stays open while idle.
   */
  @Test
  void incompleteMessagesAndSilentNewConnectionsAreClosed() throws Exception {
    Limits lim = new Limits();
    lim.tcpMessageTimeoutSeconds = 1;
    Sbc sbc = start(lim, "127.0.0.1", null);
    TransportLayer tl = sbc.stack.transports();
    TcpClient good = tcp(sbc.address(sbc.tcpPort));
    assertAnswered(sbc, good, "good-1");
    TcpClient half = tcp(sbc.address(sbc.tcpPort));
    half.write(
        options(sbc.host(), sbc.tcpPort, "TCP", half.localPort(), "half", true).substring(0, 60));
    TcpClient silent = tcp(sbc.address(sbc.tcpPort));
    TcpClient trickle = tcp(sbc.address(sbc.tcpPort));
    String slow = options(sbc.host(), sbc.tcpPort, "TCP", trickle.localPort(), "slow", true);
    AtomicBoolean stop = new AtomicBoolean();
    Thread dripper =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < slow.length() && !stop.get(); i++) {
                  trickle.write(slow.substring(i, i + 1));
                  Thread.sleep(200);
                }
              } catch (IOException | InterruptedException e) {
                // closed by the SBC
              }
            });
    dripper.start();
    opened.add(
        () -> {
          stop.set(true);
          dripper.join(2000);
        });
    long t0 = System.nanoTime();
    assertTrue(half.closedByPeer(3000), "half a message held the connection for 3 s");
    assertTrue(silent.closedByPeer(3000), "a connection without a message was kept 3 s");
    assertTrue(trickle.closedByPeer(3000), "a trickling message held the connection for 3 s");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(ms < 2500, "closed after " + ms + " ms, want ~1 s");
    assertTrue(
        await(() -> tl.closedHalfSent() == 3, 2000), "closedHalfSent " + tl.closedHalfSent());
    Thread.sleep(1200); // good has now been idle past the message timeout
    assertAnswered(sbc, good, "good-2");
    assertEquals(3, tl.closedHalfSent());
    assertEquals(0, tl.closedIdle());
  }

  // ---------------------------------------------------------------- helpers

  /** spec.limits of a test gateway. */
  static final class Limits {
    int maxMessageSize = MAX_MESSAGE_SIZE;
    int maxTcpConnections = 100;
    int maxOutboundTcpConnections = 100;
    int maxTcpConnectionsPerSource = 100;
    int tcpIdleTimeoutSeconds = 300;
    int tcpMessageTimeoutSeconds = 30;
    int maxTcpWriteQueueBytes = 1 << 20;
  }

  /** A running SBC and its ports. */
  final class Sbc {
    final SbcStack stack;
    final InetAddress bind;
    final int udpPort;
    final int tcpPort;

    Sbc(SbcStack stack, InetAddress bind, int udpPort, int tcpPort) {
      this.stack = stack;
      this.bind = bind;
      this.udpPort = udpPort;
      this.tcpPort = tcpPort;
    }

    InetSocketAddress address(int port) {
      return new InetSocketAddress(bind, port);
    }

    String host() {
      return bind instanceof Inet6Address ? "[::1]" : bind.getHostAddress();
    }

    Listener listener(String name) {
      for (Listener l : stack.config().listeners()) {
        if (l.name().equals(name)) {
          return l;
        }
      }
      throw new IllegalArgumentException(name);
    }
  }

  /**
   * Starts an SBC with a UDP and a TCP listener on {@code address} and, when {@code backendPort} is
   * set, a route sending everything to a UDP backend on 127.0.0.1. Retries on a port taken between
   * picking it and binding it (other tests run concurrently).
   */
  private Sbc start(Limits lim, String address, Integer backendPort) throws Exception {
    return start(lim, address, backendPort, 0, 0);
  }

  /** As above on given ports (0: picked free, with retries); a BindException is thrown. */
  private Sbc start(Limits lim, String address, Integer backendPort, int fixedUdp, int fixedTcp)
      throws Exception {
    InetAddress bind = InetAddress.getByName(address);
    Exception last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int udpPort = fixedUdp > 0 ? fixedUdp : freeUdpPort(bind);
      int tcpPort = fixedTcp > 0 ? fixedTcp : freeTcpPort(bind);
      String name = "transport-it-" + IDS.incrementAndGet();
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
                address: "%s"
                port: %d
              - name: tcp
                protocol: SIP-TCP
                address: "%s"
                port: %d
            limits:
              maxMessageSize: %d
              maxTcpConnections: %d
              maxOutboundTcpConnections: %d
              maxTcpConnectionsPerSource: %d
              tcpIdleTimeoutSeconds: %d
              tcpMessageTimeoutSeconds: %d
              maxTcpWriteQueueBytes: %d
            timers:
              t1: 50
              t2: 400
              t4: 500
              timerC: 181000
          """
              .formatted(
                  name,
                  address,
                  udpPort,
                  address,
                  tcpPort,
                  lim.maxMessageSize,
                  lim.maxTcpConnections,
                  lim.maxOutboundTcpConnections,
                  lim.maxTcpConnectionsPerSource,
                  lim.tcpIdleTimeoutSeconds,
                  lim.tcpMessageTimeoutSeconds,
                  lim.maxTcpWriteQueueBytes);
      if (backendPort != null) {
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
      Path file = Files.createTempFile("transport-it", ".yaml");
      try {
        Files.writeString(file, yaml);
        GatewayConfig cfg = GatewayConfig.load(file, name);
        SbcStack stack = SbcStack.start(cfg, vertx);
        opened.add(stack);
        return new Sbc(stack, bind, udpPort, tcpPort);
      } catch (SbcStack.BindException e) {
        if (fixedUdp > 0 || fixedTcp > 0) {
          throw e;
        }
        last = e;
      } finally {
        Files.deleteIfExists(file);
      }
    }
    throw last;
  }

  /** Asserts native epoll on Linux x86_64 (the platform whose epoll library is shipped). */
  private static void requireNativeEpoll(TransportLayer tl) {
    String os = System.getProperty("os.name");
    String arch = System.getProperty("os.arch");
    if (!os.equalsIgnoreCase("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      abort("native epoll is only shipped for Linux x86_64; this is " + os + "/" + arch);
    }
    assertTrue(
        tl.nativeTransport(),
        "the NIO fallback is in use on Linux x86_64: " + Epoll.unavailabilityCause());
  }

  /** Sends an OPTIONS over the client and asserts the 200 with its Call-ID. */
  private static void assertAnswered(Sbc sbc, TcpClient c, String callId) throws IOException {
    c.write(options(sbc.host(), sbc.tcpPort, "TCP", c.localPort(), callId, true));
    SipMessage r = c.read(2000);
    assertNotNull(r, "no answer on " + callId);
    assertEquals(200, r.status(), r.toString());
    assertEquals(callId, r.callId());
  }

  /** Failure callbacks of sends: how many ran, and whether each ran on its send's loop. */
  static final class Sends {
    final AtomicInteger failed = new AtomicInteger();
    final AtomicBoolean onItsLoop = new AtomicBoolean(true);

    Runnable failure(Loop loop) {
      return () -> {
        if (!loop.eventLoop().inEventLoop()) {
          onItsLoop.set(false);
        }
        failed.incrementAndGet();
      };
    }
  }

  /** Runs a task on the loop, as the SIP layers do, and waits for it. */
  private static void onLoop(Loop loop, Runnable task) throws Exception {
    loop.eventLoop().submit(() -> loop.dispatch(task)).get(5, TimeUnit.SECONDS);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private ServerSocket serverSocket() throws IOException {
    ServerSocket s = new ServerSocket();
    opened.add(s);
    s.bind(new InetSocketAddress(LOOPBACK, 0));
    return s;
  }

  /** A TCP flow from the SBC's tcp listener to a server socket, with no connection yet. */
  private static Flow flowTo(Sbc sbc, ServerSocket s) {
    return new Flow(sbc.listener("tcp"), new InetSocketAddress(LOOPBACK, s.getLocalPort()), null);
  }

  /** The largest size of a kernel TCP buffer (third value of net.ipv4.tcp_wmem or tcp_rmem). */
  private static long kernelMax(String name) throws IOException {
    // readAllLines: Files.readString trusts the size procfs reports and returned one byte.
    String v = Files.readAllLines(Path.of("/proc/sys/net/ipv4/" + name)).get(0).trim();
    String[] parts = v.split("\\s+");
    return Long.parseLong(parts[parts.length - 1]);
  }

  private static int freeUdpPort(InetAddress bind) throws SocketException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(bind, 0))) {
      return s.getLocalPort();
    }
  }

  private static int freeTcpPort(InetAddress bind) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(bind, 0));
      return s.getLocalPort();
    }
  }

  /** An OPTIONS for the SBC itself (no user part), from 127.0.0.1:{@code localPort}. */
  private static String options(
      String host, int port, String transport, int localPort, String callId, boolean withCl) {
    return "OPTIONS sip:"
        + host
        + ":"
        + port
        + (transport.equals("TCP") ? ";transport=tcp" : "")
        + " SIP/2.0\r\n"
        + "Via: SIP/2.0/"
        + transport
        + " 127.0.0.1:"
        + localPort
        + ";branch=z9hG4bK-"
        + callId
        + "\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:tester@127.0.0.1>;tag=t-"
        + callId
        + "\r\n"
        + "To: <sip:"
        + host
        + ":"
        + port
        + ">\r\n"
        + "Call-ID: "
        + callId
        + "\r\n"
        + "CSeq: 1 OPTIONS\r\n"
        + (withCl ? "Content-Length: 0\r\n" : "")
        + "\r\n";
  }

  /** Pads a body-less request with an X-Pad header up to exactly {@code size} bytes. */
  private static String padTo(String req, int size) {
    String head = "X-Pad: ";
    int pad = size - req.length() - head.length() - 2;
    return req.replace("Max-Forwards", head + "p".repeat(pad) + "\r\nMax-Forwards");
  }

  /** A 200 to a request, as a UAS builds it: Via lines, From, To with a tag, Call-ID, CSeq. */
  private static String okFor(SipMessage req, String tag) {
    StringBuilder sb = new StringBuilder("SIP/2.0 200 OK\r\n");
    for (int i = 0; i < req.headerCount(); i++) {
      byte code = req.headerCode(i);
      String line = req.text(req.headerLineStart(i), req.headerLineEnd(i));
      if (!line.endsWith("\r\n")) {
        line += "\r\n";
      }
      if (code == HeaderName.VIA
          || code == HeaderName.FROM
          || code == HeaderName.CALL_ID
          || code == HeaderName.CSEQ) {
        sb.append(line);
      } else if (code == HeaderName.TO) {
        sb.append(line, 0, line.length() - 2).append(";tag=").append(tag).append("\r\n");
      }
    }
    sb.append("Contact: <sip:backend@127.0.0.1>\r\nContent-Length: 0\r\n\r\n");
    return sb.toString();
  }

  private static String topViaLine(String msg) {
    for (String line : msg.split("\r\n")) {
      if (line.startsWith("Via:")) {
        return line;
      }
    }
    return null;
  }

  private static String topViaLine(SipMessage m) {
    int h = m.viaHeaderIndex(0);
    return m.text(m.headerLineStart(h), m.headerLineEnd(h)).stripTrailing();
  }

  private DatagramSocket udp(InetAddress bind) throws SocketException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(bind, 0));
    opened.add(s);
    return s;
  }

  private TcpClient tcp(InetSocketAddress to) throws IOException {
    return tcp(to, null);
  }

  /** A client whose socket is bound to {@code from} (any port), or to nothing when null. */
  private TcpClient tcp(InetSocketAddress to, InetAddress from) throws IOException {
    TcpClient c = new TcpClient(to, from);
    opened.add(c);
    return c;
  }

  private static void send(DatagramSocket s, String msg, InetSocketAddress to) throws IOException {
    byte[] b = msg.getBytes(StandardCharsets.ISO_8859_1);
    s.send(new DatagramPacket(b, b.length, to));
  }

  private static SipMessage receive(DatagramSocket s, int timeoutMillis) throws IOException {
    byte[] buf = new byte[65_536];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    s.setSoTimeout(timeoutMillis);
    try {
      s.receive(p);
    } catch (SocketTimeoutException e) {
      return null;
    }
    byte[] b = Arrays.copyOfRange(p.getData(), 0, p.getLength());
    return DECODER.decode(b, b.length, false);
  }

  private static boolean await(BooleanSupplier condition, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** A blocking TCP client that frames what it reads as SIP does (RFC 3261 section 18.3). */
  static final class TcpClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    /** CRLF bytes (keep-alive pongs) skipped before messages by {@link #read}. */
    int skippedCrlf;

    TcpClient(InetSocketAddress to, InetAddress from) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      if (from != null) {
        socket.bind(new InetSocketAddress(from, 0));
      }
      socket.connect(to, 2000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    int localPort() {
      return socket.getLocalPort();
    }

    void write(String s) throws IOException {
      out.write(s.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    /** The next message, or null when none is complete within the timeout. */
    SipMessage read(int timeoutMillis) throws IOException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      while (true) {
        byte[] b = pending.toByteArray();
        int start = 0;
        while (start < b.length && (b[start] == '\r' || b[start] == '\n')) {
          start++;
        }
        if (start > 0) {
          skippedCrlf += start;
          pending.reset();
          pending.write(b, start, b.length - start);
          b = pending.toByteArray();
          start = 0;
        }
        int end = indexOf(b, start, "\r\n\r\n");
        if (end >= 0) {
          String head = new String(b, start, end - start, StandardCharsets.ISO_8859_1);
          int cl = 0;
          for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
              String name = line.substring(0, colon).trim();
              if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("l")) {
                cl = Integer.parseInt(line.substring(colon + 1).trim());
              }
            }
          }
          int total = end + 4 + cl;
          if (b.length >= total) {
            byte[] msg = Arrays.copyOfRange(b, start, total);
            pending.reset();
            pending.write(b, total, b.length - total);
            return DECODER.decode(msg, msg.length, true);
          }
        }
        if (!fill(deadline)) {
          return null;
        }
      }
    }

    /** Exactly n bytes as text, failing when they do not arrive in time. */
    String readExactly(int n, int timeoutMillis) throws IOException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      while (pending.size() < n) {
        if (!fill(deadline)) {
          throw new AssertionError("only " + pending.size() + " of " + n + " bytes arrived");
        }
      }
      byte[] b = pending.toByteArray();
      pending.reset();
      pending.write(b, n, b.length - n);
      return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** Whether the peer closes (EOF or reset) within the timeout; data before the close is read. */
    boolean closedByPeer(int timeoutMillis) throws IOException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      byte[] buf = new byte[8192];
      while (true) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        socket.setSoTimeout((int) Math.max(1, left));
        try {
          if (in.read(buf) < 0) {
            return true;
          }
        } catch (SocketTimeoutException e) {
          return false;
        } catch (SocketException e) {
          return true; // connection reset: closed with unread data in its buffer
        }
      }
    }

    /** Reads what arrives before the deadline; false on timeout. */
    private boolean fill(long deadline) throws IOException {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        return false;
      }
      socket.setSoTimeout((int) Math.max(1, left));
      byte[] buf = new byte[8192];
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        return false;
      }
      if (n < 0) {
        throw new IOException("connection closed by the SBC");
      }
      pending.write(buf, 0, n);
      return true;
    }

    private static int indexOf(byte[] b, int from, String what) {
      outer:
      for (int i = from; i + what.length() <= b.length; i++) {
        for (int j = 0; j < what.length(); j++) {
          if (b[i + j] != what.charAt(j)) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
