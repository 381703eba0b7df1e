package io.sbc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sbc.runtime.config.GatewayConfig;
import io.sbc.runtime.sip.message.HeaderName;
import io.sbc.runtime.sip.message.SipLimits;
import io.sbc.runtime.sip.message.SipMessage;
import io.sbc.runtime.sip.message.SipMessageDecoder;
import io.sbc.runtime.sip.message.SipMethod;
import io.sbc.runtime.sip.transaction.TransactionLayer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sends every RFC 4475 / RFC 5118 torture message to a running SBC over UDP and checks what it
 * answers, what it forwards to the backend and that it ends with no transaction left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TortureOverUdpTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final SipMessageDecoder DECODER = new SipMessageDecoder(SipLimits.DEFAULT);

  /*
   * Every forwarded request must reach the one backend: the SBC never sends to the documentation
   * addresses and host names of the corpus (a Request-URI or a foreign Route is not followed unless
   * the request came through a Route of the SBC's own, see Proxy#followsRouteSet).
   */

  private Vertx vertx;
  private SbcStack stack;
  private Path configFile;
  private int sbcPort;
  private Recorder backend;
  private int baseServers;
  private int baseClients;
  private int baseConnections;
  private final List<DatagramSocket> senders = new ArrayList<>();
  private final Set<String> usedKeys = new HashSet<>();

  /** Forwarded copies captured per file, for the checks that look at their bytes. */
  private final Map<String, byte[]> forwarded = new HashMap<>();

  /** Every datagram one UDP socket receives, with its arrival time. */
  static final class Recorder implements AutoCloseable {
    record Datagram(long nanos, byte[] bytes) {}

    final DatagramSocket socket;
    final List<Datagram> received = new CopyOnWriteArrayList<>();
    private final Thread thread;

    Recorder(InetSocketAddress bind) throws SocketException {
      socket = new DatagramSocket(bind);
      thread = new Thread(this::run, "recorder-" + bind.getPort());
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      byte[] buf = new byte[65_536];
      while (!socket.isClosed()) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
        } catch (IOException e) {
          return;
        }
        received.add(
            new Datagram(System.nanoTime(), Arrays.copyOfRange(p.getData(), 0, p.getLength())));
      }
    }

    int port() {
      return socket.getLocalPort();
    }

    /** The first datagram after {@code since} that is a request with this Call-ID and CSeq. */
    byte[] find(long since, String callId, long cseq, String method) {
      for (Datagram d : received) {
        if (d.nanos() < since) {
          continue;
        }
        SipMessage m = DECODER.decode(d.bytes(), d.bytes().length, false);
        if (m != null
            && m.isRequest()
            && m.error() == null
            && callId.equals(m.callId())
            && m.cseq() == cseq
            && method.equals(m.cseqMethod())) {
          return d.bytes();
        }
      }
      return null;
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  /** What the SBC is expected to do with one manifest line. */
  enum Expect {
    /** The request reaches the backend (INVITE: and a 100 Trying comes back). */
    FORWARD,
    /** The SBC answers with a status and forwards nothing. */
    ANSWER,
    /** A response: nothing comes back, nothing is forwarded. */
    SILENT
  }

  record Line(String file, String section, String decision, Expect expect, int status) {
    Path path() {
      return tortureDir()
          .resolve(section.startsWith("5118-") ? "rfc5118" : "rfc4475")
          .resolve(file);
    }

    @Override
    public String toString() {
      return file
          + " ("
          + section
          + ") "
          + decision
          + " -> "
          + expect
          + (status > 0 ? " " + status : "");
    }
  }

  static Path tortureDir() {
    return Path.of(System.getProperty("torture.dir", "/work/shared/sip-torture"));
  }

  /**
   * The manifest, each line with the network outcome it asks for, ordered so that every line that
   * must forward nothing runs first: while those run the backend must receive nothing at all.
   */
  static List<Line> lines() throws IOException {
    List<Line> out = new ArrayList<>();
    for (String l :
        Files.readAllLines(tortureDir().resolve("manifest.tsv"), StandardCharsets.UTF_8)) {
      if (l.isBlank() || l.startsWith("#")) {
        continue;
      }
      String[] f = l.split("\t");
      out.add(classify(f[0], f[1], f[3]));
    }
    out.sort(Comparator.comparing(line -> line.expect() == Expect.FORWARD ? 1 : 0));
    return out;
  }

  private static Line classify(String file, String section, String decision) {
    switch (file) {
      case "trws.dat", "regbadct.dat":
        // Choices documented in TortureCorpusTest: accepted leniently, so forwarded.
        return new Line(file, section, decision, Expect.FORWARD, 0);
      case "badaspec.dat":
        return new Line(file, section, decision, Expect.ANSWER, 400);
      case "zeromf.dat":
        return new Line(file, section, decision, Expect.ANSWER, 483);
      case "bext01.dat":
        return new Line(file, section, decision, Expect.ANSWER, 420);
      case "mpart01.dat":
        return new Line(file, section, decision, Expect.FORWARD, 0);
      default:
        break;
    }
    if (decision.startsWith("reject: ")) {
      return new Line(
          file, section, decision, Expect.ANSWER, Integer.parseInt(decision.substring(8, 11)));
    }
    if (decision.startsWith("drop") || decision.startsWith("parse (a response)")) {
      return new Line(file, section, decision, Expect.SILENT, 0);
    }
    return new Line(file, section, decision, Expect.FORWARD, 0);
  }

  @BeforeAll
  void start() throws Exception {
    backend = new Recorder(new InetSocketAddress(LOOPBACK, 0));
    try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      sbcPort = probe.getLocalPort();
    }
    configFile = Files.createTempFile("torture-udp", ".yaml");
    Files.writeString(
        configFile,
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: torture
        spec:
          listeners:
            - name: udp
              protocol: SIP-UDP
              address: 127.0.0.1
              port: %d
          timers:
            t1: 20
            t2: 160
            t4: 200
            timerC: 181000
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: catch-all
        spec:
          parentRefs:
            - name: torture
          rules:
            # The corpus addresses foreign domains (example.com...): this rule relays them. Some
            # of its requests carry a To tag without a Route of this SBC (wsinv.dat): this rule
            # accepts those too, so that they are processed normally as the manifest says.
            - recordRoute: true
              allowRelay: true
              allowInDialog: true
              backendRefs:
                - uri: sip:127.0.0.1:%d
        """
            .formatted(sbcPort, backend.port()));
    GatewayConfig cfg = GatewayConfig.load(configFile, null);
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(2));
    stack = SbcStack.start(cfg, vertx);
    baseServers = stack.transactions().serverCount();
    baseClients = stack.transactions().clientCount();
    baseConnections = stack.transports().openConnections();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (stack != null) {
        stack.close();
      }
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      for (DatagramSocket s : senders) {
        s.close();
      }
      if (backend != null) {
        backend.close();
      }
      if (configFile != null) {
        Files.deleteIfExists(configFile);
      }
    }
  }

  // ---------------------------------------------------------------- the corpus

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @MethodSource("lines")
  void corpusLine(Line line) throws Exception {
    byte[] bytes = Files.readAllBytes(line.path());
    SipMessage sent = DECODER.decode(bytes, bytes.length, false);
    if (line.expect() == Expect.FORWARD) {
      awaitTransactionGone(sent);
    }
    int backendBefore = backend.received.size();
    long since = System.nanoTime();
    DatagramSocket s = sender();
    s.send(new DatagramPacket(bytes, bytes.length, LOOPBACK, sbcPort));
    switch (line.expect()) {
      case ANSWER -> {
        SipMessage answer = receive(s, 2000);
        assertNotNull(answer, "no answer within 2 s");
        // The answer copies what parsed of a malformed request (insuf has no From or To), so
        // only its status line is required to be well-formed.
        assertTrue(answer.isResponse(), answer.toString());
        assertEquals(line.status(), answer.status(), answer.toString());
        if (sent.callId() != null) {
          assertEquals(sent.callId(), answer.callId());
        }
        if (line.status() == 420) {
          // RFC 3261 section 16.3 step 5 and 20.40: Unsupported lists the Proxy-Require tags.
          String unsupported = answer.headerValue(HeaderName.UNSUPPORTED);
          assertNotNull(unsupported, "420 without Unsupported");
          assertTrue(unsupported.contains("noProxiesSupportThis"), unsupported);
          assertTrue(unsupported.contains("norDoAnyProxiesSupportThis"), unsupported);
          assertTrue(!unsupported.contains("nothingSupportsThis"), "Require is not for proxies");
        }
        assertNoExtraAnswer(s);
        assertEquals(backendBefore, backend.received.size(), "nothing goes to the backend");
      }
      case SILENT -> {
        assertNull(receive(s, 500), "a response is never answered");
        assertEquals(backendBefore, backend.received.size(), "a response is not forwarded");
      }
      case FORWARD -> {
        Recorder to = backend;
        byte[] copy =
            awaitValue(() -> to.find(since, sent.callId(), sent.cseq(), sent.cseqMethod()), 2000);
        assertNotNull(copy, line.file() + " not forwarded to the backend");
        forwarded.put(line.file(), copy);
        SipMessage fwd = DECODER.decode(copy, copy.length, false);
        assertNull(fwd.error(), () -> "forwarded copy does not parse: " + fwd.error().getMessage());
        assertEquals(sent.vias().size() + 1, fwd.vias().size(), "one Via added");
        assertEquals(sent.bodyLength(), fwd.bodyLength());
        assertArrayEquals(
            Arrays.copyOfRange(bytes, sent.bodyStart(), sent.bodyStart() + sent.bodyLength()),
            Arrays.copyOfRange(copy, fwd.bodyStart(), fwd.bodyStart() + fwd.bodyLength()),
            "body forwarded unchanged");
        if (line.expect() == Expect.FORWARD) {
          // RFC 3261 section 16.6: only the lines a proxy edits differ (as for wsinv below).
          assertEquals(sent.text(0, sent.startLineEnd()), fwd.text(0, fwd.startLineEnd()));
          assertEquals(keptHeaderLines(sent), keptHeaderLines(fwd), "other header lines");
        }
        if (SipMethod.INVITE.equals(sent.method())) {
          SipMessage trying = receive(s, 2000);
          assertNotNull(trying, "no 100 Trying for an INVITE");
          assertEquals(100, trying.status());
        }
      }
      default -> fail();
    }
  }

  /** After every line: the SBC is left with nothing pending and still answers. */
  @Order(3)
  @Test
  void stateReturnsToWhereItWasAndTheSbcStillAnswers() throws Exception {
    boolean drained =
        await(
            () ->
                stack.transactions().serverCount() == baseServers
                    && stack.transactions().clientCount() == baseClients
                    && stack.transports().openConnections() == baseConnections,
            20_000);
    assertTrue(
        drained,
        "servers "
            + stack.transactions().serverCount()
            + ", clients "
            + stack.transactions().clientCount()
            + ", connections "
            + stack.transports().openConnections());
    DatagramSocket s = sender();
    String options =
        "OPTIONS sip:127.0.0.1:"
            + sbcPort
            + " SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:"
            + s.getLocalPort()
            + ";branch=z9hG4bKtorture-final-options\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:tester@127.0.0.1>;tag=final\r\n"
            + "To: <sip:127.0.0.1:"
            + sbcPort
            + ">\r\n"
            + "Call-ID: torture-final-options\r\n"
            + "CSeq: 1 OPTIONS\r\n"
            + "Content-Length: 0\r\n\r\n";
    byte[] b = options.getBytes(StandardCharsets.ISO_8859_1);
    s.send(new DatagramPacket(b, b.length, LOOPBACK, sbcPort));
    SipMessage answer = receive(s, 2000);
    assertNotNull(answer, "the SBC no longer answers");
    assertEquals(200, answer.status());
  }

  // ---------------------------------------------------------------- wsinv forwarded byte for byte

  /**
   * RFC 4475 3.1.1.1: a proxy forwards wsinv with all its odd whitespace intact; only the lines a
   * proxy edits (Via, Record-Route, Route, Max-Forwards; RFC 3261 section 16.6) may differ.
   */
  @Order(2)
  @Test
  void wsinvForwardedCopyDiffersOnlyInProxyHeaders() throws Exception {
    Path file = tortureDir().resolve("rfc4475/wsinv.dat");
    byte[] sentBytes = Files.readAllBytes(file);
    byte[] copy = forwarded.get("wsinv.dat");
    if (copy == null) {
      SipMessage sent = DECODER.decode(sentBytes, sentBytes.length, false);
      awaitTransactionGone(sent);
      long since = System.nanoTime();
      DatagramSocket s = sender();
      s.send(new DatagramPacket(sentBytes, sentBytes.length, LOOPBACK, sbcPort));
      copy =
          awaitValue(
              () -> backend.find(since, sent.callId(), sent.cseq(), sent.cseqMethod()), 2000);
      assertNotNull(copy, "wsinv.dat was not forwarded");
    }
    SipMessage a = DECODER.decode(sentBytes, sentBytes.length, false);
    SipMessage b = DECODER.decode(copy, copy.length, false);
    assertNull(b.error());
    assertEquals(
        a.text(0, a.startLineEnd()), b.text(0, b.startLineEnd()), "request line unchanged");
    assertEquals(keptHeaderLines(a), keptHeaderLines(b), "other header lines, in order");
    assertArrayEquals(
        Arrays.copyOfRange(sentBytes, a.bodyStart(), a.bodyStart() + a.bodyLength()),
        Arrays.copyOfRange(copy, b.bodyStart(), b.bodyStart() + b.bodyLength()),
        "body unchanged");
  }

  /** Every header line (folding included, exact bytes) a proxy has no reason to touch. */
  private static List<String> keptHeaderLines(SipMessage m) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < m.headerCount(); i++) {
      byte c = m.headerCode(i);
      if (c == HeaderName.VIA
          || c == HeaderName.RECORD_ROUTE
          || c == HeaderName.ROUTE
          || c == HeaderName.MAX_FORWARDS) {
        continue;
      }
      out.add(m.text(m.headerLineStart(i), m.headerLineEnd(i)));
    }
    return out;
  }

  // ---------------------------------------------------------------- helpers

  private DatagramSocket sender() throws SocketException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
    senders.add(s);
    return s;
  }

  /**
   * Several corpus messages share a branch (RFC 5118's "z9hG4bKas3-111", RFC 4475's
   * "z9hG4bKkdjuw"): by RFC 3261 section 17.2.3 a second one is a retransmission of the first while
   * its server transaction lives, so the test waits for that transaction to end.
   */
  private void awaitTransactionGone(SipMessage m) {
    String key = TransactionLayer.serverKey(m);
    if (usedKeys.add(key)) {
      return;
    }
    assertTrue(
        await(() -> stack.transactions().findServer(key) == null, 10_000),
        "transaction " + key + " of an earlier message did not end");
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

  /** A stateless answer comes once: no second response follows it. */
  private static void assertNoExtraAnswer(DatagramSocket s) throws IOException {
    SipMessage extra = receive(s, 100);
    assertNull(extra, () -> "unexpected second answer: " + extra);
  }

  private static boolean await(BooleanSupplier condition, long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      sleep(10);
    }
    return true;
  }

  private static byte[] awaitValue(java.util.function.Supplier<byte[]> value, long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (true) {
      byte[] v = value.get();
      if (v != null || System.nanoTime() > deadline) {
        return v;
      }
      sleep(10);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }
}
