package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * (g) One source address holding thousands of TCP connections, idle or with half a request
 * written, does not stop another source's TCP calls: the SBC keeps at most its per-source share
 * (maxTcpConnectionsPerSource, 64 by default) from 127.0.0.5 and closes those after the message
 * timeout (10 s), while SIPp calls from 127.0.0.2 over a connection per call all succeed. Every
 * limit is the default: the flood opens more connections than maxTcpConnections (10,000), which
 * without the per-source share would leave no slot for anyone else.
 */
class TcpFloodTest extends SystemTestBase {
  private static final int PER_SOURCE = 64; // Defaults.MAX_TCP_CONNECTIONS_PER_SOURCE
  private static final int MESSAGE_TIMEOUT_SECONDS = 10; // Defaults.TCP_MESSAGE_TIMEOUT_SECONDS

  @Test
  void thousandsOfIdleAndHalfSentConnectionsFromOneSourceDoNotStopAnothersCalls() throws Exception {
    Assumptions.assumeTrue(ProxyUnderTest.target().equals("sbc"),
        "per-source TCP limits are the SBC's (target " + ProxyUnderTest.target() + ")");
    int floodConnections = Integer.getInteger("sbc.flood.connections", 12_000);
    int calls = Integer.getInteger("sbc.flood.calls", 200);
    int backend = backendPort(0);
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(backend).transport("t1")
        .traceMessages(false), "uas");
    int port = proxyPort();
    startProxy(SbcConfig.gateway("systemtest").udpListener(port).tcpListener(port)
        .backend("sip:127.0.0.1:" + backend + ";transport=tcp"));

    // 1. The flood: every connect is accepted by the kernel, the SBC keeps its share of them.
    TcpFlood flood = track(new TcpFlood(InetAddress.getByName("127.0.0.5"),
        new InetSocketAddress("127.0.0.1", port), floodConnections)).start();
    assertTrue(await(flood::firstRoundDone, Duration.ofSeconds(60)),
        "the flood did not finish connecting: " + flood + context());
    assertTrue(flood.established() >= floodConnections * 9 / 10,
        "most flood connects should reach the SBC's kernel: " + flood + context());
    // The SBC closes what is beyond the share as it accepts; give it a moment to catch up (the
    // share itself is asserted after the calls, so that without it the calls show what it costs).
    boolean settled = await(() -> flood.open() <= PER_SOURCE, Duration.ofSeconds(5));
    String afterFlood = flood.toString();

    // 2. Calls from another source while the flood reopens what the SBC closes, faster than the
    //    message timeout frees slots (10,000 per 10 s): without the share, the slots stay taken.
    flood.reconnect(Integer.getInteger("sbc.flood.reconnectsPerSecond", 2000));
    Sipp.Result uac = runUac(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .localIp("127.0.0.2").port(uacPort()).transport("tn")
            .calls(calls).rate(20).limit(50).args("-d", "100").traceMessages(false)
            .timeout(Duration.ofSeconds(calls / 20 + 60)),
        "uac-tcp", Duration.ofSeconds(calls / 20 + 90));
    assertTrue(uac.allSucceeded(calls),
        "expected " + calls + " successful TCP calls from 127.0.0.2 during the flood: " + uac
            + "\n" + flood + context());
    assertTrue(settled, "the SBC kept more than " + PER_SOURCE + " connections from one source: "
        + afterFlood + context());
    assertTrue(flood.open() <= PER_SOURCE,
        "the SBC kept more than " + PER_SOURCE + " flood connections: " + flood + context());

    // 3. Idle and half-sent connections do not stay for the idle timeout (300 s): the message
    //    timeout closes them.
    flood.reconnect(0);
    assertTrue(await(() -> flood.open() == 0, Duration.ofSeconds(MESSAGE_TIMEOUT_SECONDS + 5)),
        "flood connections still open " + (MESSAGE_TIMEOUT_SECONDS + 5)
            + " s after the last reconnect: " + flood + context());
    assertNull(flood.failure(), "the flood thread failed");
    System.out.println("TcpFloodTest: " + flood + "; calls from 127.0.0.2: " + uac.summary());
  }

  private static boolean await(BooleanSupplier condition, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }
}
