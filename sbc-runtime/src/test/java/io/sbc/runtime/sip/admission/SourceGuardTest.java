package io.sbc.runtime.sip.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sbc.api.Defaults;
import io.sbc.runtime.routing.CidrSet;
import io.sbc.runtime.sip.admission.SourceGuard.Refusal;
import io.sbc.runtime.sip.timer.ManualClock;
import io.sbc.runtime.sip.transport.Listener;
import io.sbc.runtime.sip.transport.Loop;
import io.sbc.runtime.sip.transport.Protocol;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bytes in, verdicts out: the token bucket per source, bans, exempt networks, scanner User-Agents
 * and listener allow/deny networks, on a clock the test moves.
 */
class SourceGuardTest {
  final ManualClock clock = new ManualClock(1_000_000);
  final Loop loop = Loop.driven(0, Runnable::run, () -> true, clock);
  final Listener udp =
      new Listener("udp", Protocol.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
  final Listener tcp =
      new Listener("tcp", Protocol.TCP, new InetSocketAddress("127.0.0.1", 5060), null);

  static final InetAddress FLOODER = address("127.0.0.5");
  static final InetAddress CALLER = address("127.0.0.2");

  static InetAddress address(String a) {
    try {
      return InetAddress.getByName(a);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static byte[] request(String userAgent) {
    return ("OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.5:5060;branch=z9hG4bK1\r\n"
            + "From: <sip:a@127.0.0.5>;tag=1\r\n"
            + "To: <sip:bob@127.0.0.1>\r\n"
            + "Call-ID: x\r\n"
            + "CSeq: 1 OPTIONS\r\n"
            + (userAgent == null ? "" : "User-Agent: " + userAgent + "\r\n")
            + "Content-Length: 0\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  static final byte[] REQUEST = request("Acme Phone 1.0");
  static final byte[] RESPONSE =
      ("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n"
              + "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.5>;tag=2\r\nCall-ID: x\r\n"
              + "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1);

  SourceGuard guard(SourcePolicy.AntiFlood antiFlood) {
    return new SourceGuard(
        1, 1024, new SourcePolicy(Map.of(), antiFlood, Defaults.SCANNER_USER_AGENTS), clock);
  }

  static SourcePolicy.AntiFlood limit(int perSecond, int burst, int banSeconds, String... exempt) {
    return new SourcePolicy.AntiFlood(perSecond, burst, banSeconds, CidrSet.of(List.of(exempt)));
  }

  /** How many of n requests, one every {@code gapMillis}, are admitted. */
  int admitted(SourceGuard g, InetAddress source, int n, long gapMillis) {
    int ok = 0;
    for (int i = 0; i < n; i++) {
      ok += g.admitMessage(loop, udp, source, REQUEST) ? 1 : 0;
      clock.advance(gapMillis);
    }
    return ok;
  }

  @Test
  void aSourceWithinItsRateIsNeverRefused() {
    SourceGuard g = guard(limit(100, 20, 60));
    // 100 per second for a minute, exactly the rate.
    assertEquals(6000, admitted(g, CALLER, 6000, 10));
    assertEquals(0, g.bans());
  }

  @Test
  void aBurstPassesThenTheFloodIsCutAndBanned() {
    SourceGuard g = guard(limit(100, 20, 60));
    // 1000 requests at once: the burst of 20 passes, the 21st starts a ban, the rest are banned.
    int ok = admitted(g, FLOODER, 1000, 0);
    assertEquals(20, ok);
    assertEquals(1, g.bans());
    assertEquals(1, g.bannedNow());
    assertEquals(1, g.refusedMessages(Refusal.RATE_LIMITED));
    assertEquals(979, g.refusedMessages(Refusal.BANNED));
    // While banned nothing passes, responses included, and no new connection is kept.
    clock.advance(59_000);
    assertFalse(g.admitMessage(loop, udp, FLOODER, REQUEST));
    assertFalse(g.admitMessage(loop, udp, FLOODER, RESPONSE));
    assertFalse(g.admitConnection(loop, tcp, FLOODER));
    // Another source is not touched.
    assertTrue(g.admitMessage(loop, udp, CALLER, REQUEST));
    assertTrue(g.admitConnection(loop, tcp, CALLER));
    // After the ban, a full bucket again.
    clock.advance(1_001);
    assertEquals(0, g.bannedNow());
    assertEquals(20, admitted(g, FLOODER, 25, 0));
    assertEquals(2, g.bans());
  }

  @Test
  void withoutBansOnlyWhatIsOverTheRatePasses() {
    SourceGuard g = guard(limit(100, 10, 0));
    // 200 per second for 10 s: 100 per second pass (plus the burst), the rest are dropped.
    int ok = admitted(g, FLOODER, 2000, 5);
    assertTrue(ok >= 1000 && ok <= 1011, "admitted " + ok);
    assertEquals(0, g.bans());
    assertEquals(2000 - ok, g.refusedMessages(Refusal.RATE_LIMITED));
  }

  @Test
  void responsesAndKeepalivesTakeNoToken() {
    SourceGuard g = guard(limit(1, 1, 60));
    for (int i = 0; i < 100; i++) {
      assertTrue(g.admitMessage(loop, udp, CALLER, RESPONSE));
      assertTrue(g.admitMessage(loop, udp, CALLER, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    }
    assertTrue(g.admitMessage(loop, udp, CALLER, REQUEST));
    assertFalse(g.admitMessage(loop, udp, CALLER, REQUEST));
  }

  @Test
  void exemptSourcesAreNeverLimited() {
    SourceGuard g = guard(limit(1, 1, 60, "127.0.0.0/29"));
    assertEquals(10_000, admitted(g, FLOODER, 10_000, 0));
    assertEquals(1, admitted(g, address("127.0.0.9"), 10, 0));
  }

  @Test
  void noAntiFloodNoLimit() {
    SourceGuard g = guard(null);
    assertEquals(10_000, admitted(g, FLOODER, 10_000, 0));
    assertEquals(0, g.trackedSources(), "no table is made when nothing is limited");
  }

  @Test
  void scannersAreRefusedByTheirUserAgent() {
    SourceGuard g =
        new SourceGuard(
            1,
            1024,
            new SourcePolicy(
                Map.of(),
                null,
                SourcePolicy.scannerAgents(Defaults.SCANNER_USER_AGENTS, List.of("Evil-Scan"))),
            clock);
    assertFalse(g.admitMessage(loop, udp, FLOODER, request("friendly-scanner")));
    assertFalse(g.admitMessage(loop, udp, FLOODER, request("SIPVicious 0.3")));
    assertFalse(g.admitMessage(loop, udp, FLOODER, request("sipcli/v1.8")));
    assertFalse(g.admitMessage(loop, udp, FLOODER, request("my evil-scanner")));
    // A folded value (RFC 3261 7.3.1) is one value.
    assertFalse(g.admitMessage(loop, udp, FLOODER, request("Acme\r\n friendly-scanner")));
    assertFalse(
        g.admitMessage(
            loop,
            udp,
            FLOODER,
            new String(request(null), StandardCharsets.ISO_8859_1)
                .replace("CSeq:", "user-agent  :friendly-scanner\r\nCSeq:")
                .getBytes(StandardCharsets.ISO_8859_1)));
    assertEquals(6, g.refusedMessages(Refusal.SCANNER));
    // Not a scanner: another header naming one, the body, a User-Agent close to one.
    assertTrue(g.admitMessage(loop, udp, CALLER, request("friendly scanner")));
    assertTrue(g.admitMessage(loop, udp, CALLER, request(null)));
    String other =
        new String(request("Acme"), StandardCharsets.ISO_8859_1)
            .replace("Call-ID: x", "Call-ID: x\r\nX-User-Agent: sipvicious\r\nSubject: sipcli");
    assertTrue(g.admitMessage(loop, udp, CALLER, other.getBytes(StandardCharsets.ISO_8859_1)));
    String body =
        new String(request("Acme"), StandardCharsets.ISO_8859_1)
            .replace(
                "Content-Length: 0\r\n\r\n",
                "Content-Length: 28\r\n\r\nUser-Agent: friendly-scanner");
    assertTrue(g.admitMessage(loop, udp, CALLER, body.getBytes(StandardCharsets.ISO_8859_1)));
    // Responses are not looked at (a Server header is not a scanner's mark).
    assertTrue(
        g.admitMessage(
            loop,
            udp,
            CALLER,
            new String(RESPONSE, StandardCharsets.ISO_8859_1)
                .replace("CSeq", "User-Agent: friendly-scanner\r\nCSeq")
                .getBytes(StandardCharsets.ISO_8859_1)));
    // With blocking off (no substrings), a scanner is a request like another.
    SourceGuard open = new SourceGuard(1, 1024, new SourcePolicy(Map.of(), null, List.of()), clock);
    assertTrue(open.admitMessage(loop, udp, FLOODER, request("friendly-scanner")));
  }

  @Test
  void aScannerIsBannedWhenBansAreOn() {
    SourceGuard g = guard(limit(100, 100, 60));
    assertFalse(g.admitMessage(loop, udp, FLOODER, request("friendly-scanner")));
    assertEquals(1, g.bans());
    // The next request is dropped as banned, whatever its User-Agent.
    assertFalse(g.admitMessage(loop, udp, FLOODER, REQUEST));
    assertEquals(1, g.refusedMessages(Refusal.BANNED));
  }

  @Test
  void listenersHearTheirAllowedNetworksButNotTheirDeniedOnes() {
    SourceGuard g =
        new SourceGuard(
            1,
            1024,
            new SourcePolicy(
                Map.of(
                    "udp", SourcePolicy.access(List.of("127.0.0.0/24"), List.of("127.0.0.5")),
                    "tcp", SourcePolicy.access(List.of(), List.of("127.0.0.2"))),
                null,
                List.of()),
            clock);
    assertTrue(g.admitMessage(loop, udp, CALLER, REQUEST));
    assertFalse(g.admitMessage(loop, udp, FLOODER, REQUEST));
    assertFalse(g.admitMessage(loop, udp, FLOODER, RESPONSE));
    assertFalse(g.admitMessage(loop, udp, address("10.0.0.1"), REQUEST));
    assertFalse(g.admitMessage(loop, udp, address("::1"), REQUEST));
    assertEquals(4, g.refusedMessages(Refusal.DENIED));
    assertFalse(g.admitConnection(loop, tcp, CALLER));
    assertTrue(g.admitConnection(loop, tcp, FLOODER));
    assertTrue(g.admitConnection(loop, tcp, address("10.0.0.1")));
    assertEquals(1, g.refusedConnections(Refusal.DENIED));
    // A reload replaces the rules.
    g.update(SourcePolicy.OPEN);
    assertTrue(g.admitMessage(loop, udp, FLOODER, REQUEST));
    assertTrue(g.admitConnection(loop, tcp, CALLER));
  }

  @Test
  void memoryIsBoundedAndABanOutlivesAStormOfNewSources() throws Exception {
    SourceGuard g = guard(limit(10, 10, 600));
    admitted(g, FLOODER, 100, 0);
    assertEquals(1, g.bannedNow());
    // 200,000 sources, one request each, through a table of 1024 slots.
    byte[] a = new byte[] {10, 0, 0, 0};
    for (int i = 0; i < 200_000; i++) {
      a[1] = (byte) (i >> 16);
      a[2] = (byte) (i >> 8);
      a[3] = (byte) i;
      assertTrue(g.admitMessage(loop, udp, InetAddress.getByAddress(a), REQUEST));
      clock.advance(i % 100 == 0 ? 1 : 0);
    }
    assertEquals(1024, g.trackedSources());
    assertTrue(g.evicted() > 190_000, "evicted " + g.evicted());
    assertFalse(g.admitMessage(loop, udp, FLOODER, REQUEST), "the ban is kept before idle sources");
    assertEquals(1, g.bannedNow());
  }

  @Test
  void admittingAllocatesNothing() {
    SourceGuard g = guard(limit(1_000_000, 1_000_000, 60, "192.0.2.0/24"));
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    for (int round = 0; round < 3; round++) { // the first rounds warm up (and make the table)
      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < 100_000; i++) {
        g.admitMessage(loop, udp, CALLER, REQUEST);
        g.admitMessage(loop, udp, CALLER, RESPONSE);
        clock.advance(1);
      }
      long bytes = threads.getThreadAllocatedBytes(id) - before;
      if (round == 2) {
        assertTrue(bytes < 2048, bytes + " bytes allocated for 200,000 admitted messages");
      }
    }
    assertEquals(0, g.refusedMessages(Refusal.RATE_LIMITED));
  }
}
