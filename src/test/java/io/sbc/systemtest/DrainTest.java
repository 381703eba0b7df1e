package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Draining on SIGTERM (issue 14): calls in progress through an SBC that receives SIGTERM complete
 * (their BYE answered through it), readiness drops at once, a new INVITE during the drain gets 503
 * with Retry-After, and the process exits once the last call has ended, long before its drain
 * period (55 s: the default grace period of 60 s less 5) runs out.
 */
class DrainTest extends SystemTestBase {
  @Test
  void callsInProgressFinishNewInvitesGet503AndTheProcessExitsAfterTheLast() throws Exception {
    SbcSupport.assumeSbc("draining");
    int backend = backendPort(0);
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(backend).traceMessages(false), "uas");
    int port = proxyPort();
    startProxy(SbcConfig.udp(port).backend(backend));
    Management m = proxy.management();
    int calls = 5;
    long callMillis = 8000;
    Sipp.Instance uac =
        track(
            Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
                .port(uacPort())
                .calls(calls)
                .rate(calls)
                .args("-d", String.valueOf(callMillis))
                .traceMessages(true)
                .timeout(Duration.ofSeconds(40))
                .start(workDir, "uac"));
    JsonNode up =
        m.awaitStatus(s -> s.path("calls").path("active").asInt() == calls, Duration.ofSeconds(5))
            .orElseThrow(() -> new AssertionError("the calls did not connect" + context()));
    assertEquals(calls, up.path("calls").path("admission").path("active").asInt(), up.toString());

    // SIGTERM, as Kubernetes sends it when the pod is deleted.
    ProcessHandle sbc = ProcessHandle.of(proxy.process.pid()).orElseThrow();
    long signalled = System.nanoTime();
    assertTrue(sbc.destroy(), "SIGTERM could not be sent");

    // Readiness drops: a Service sends no new traffic here.
    assertTrue(awaitHttp(m, "/q/health/ready", 503, Duration.ofSeconds(3)), "still ready" + context());
    // A new call is refused, saying when to retry (elsewhere, through the Service).
    try (DatagramSocket ua = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      ua.setSoTimeout(5000);
      EdgeTest.send(
          ua,
          port,
          "INVITE sip:late@127.0.0.1:"
              + port
              + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:"
              + ua.getLocalPort()
              + ";branch=z9hG4bKdrain1;rport\r\nMax-Forwards: 70\r\nFrom: <sip:late@127.0.0.1>;tag=d1"
              + "\r\nTo: <sip:late@127.0.0.1>\r\nCall-ID: drain-"
              + System.nanoTime()
              + "\r\nCSeq: 1 INVITE\r\nContact: <sip:late@127.0.0.1:"
              + ua.getLocalPort()
              + ">\r\nContent-Length: 0\r\n\r\n");
      String refused = EdgeTest.await(ua, "SIP/2.0 503");
      assertNotNull(EdgeTest.header(refused, "Retry-After"), refused);
    }
    assertTrue(sbc.isAlive(), "the SBC exited with calls in progress" + context());
    JsonNode draining = m.status();
    assertTrue(draining.path("calls").path("admission").path("draining").asBoolean(), draining.toString());
    assertEquals(1, draining.path("calls").path("admission").path("refusedDraining").asInt(), draining.toString());

    // The calls end normally, their BYEs answered through the draining SBC.
    Sipp.Result result = uac.result(uac.awaitExit(Duration.ofSeconds(30)));
    assertTrue(result.allSucceeded(calls), "calls in progress during the drain: " + result + context());
    long callsEnded = System.nanoTime();
    // Then it exits, well before its drain period.
    assertTrue(
        sbc.onExit().toCompletableFuture().completeOnTimeout(null, 10, java.util.concurrent.TimeUnit.SECONDS).get() != null,
        "the SBC did not exit within 10 s of the last call's end" + context());
    long exitedAfterSignal = (System.nanoTime() - signalled) / 1_000_000;
    long exitedAfterCalls = (System.nanoTime() - callsEnded) / 1_000_000;
    assertTrue(exitedAfterSignal < 30_000, "exit " + exitedAfterSignal + " ms after SIGTERM");
    String log = proxy.logText();
    assertTrue(log.contains("draining gateway"), "the drain is logged");
    assertTrue(log.contains("drained: no call in progress"), "the drain's end is logged:\n" + proxy.process.logTail(20));
    System.out.println(
        "DrainTest: exited " + exitedAfterSignal + " ms after SIGTERM, " + exitedAfterCalls
            + " ms after the last call ended; " + result.summary());
  }

  private static boolean awaitHttp(Management m, String path, int status, Duration max)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long end = System.nanoTime() + max.toNanos();
    do {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(m.base() + path)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == status) {
        return true;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < end);
    return false;
  }
}
