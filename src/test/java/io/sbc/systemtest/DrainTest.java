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
 * period (55 s: the default grace period of 60 s less 5) runs out; and the operator's pod spec
 * (grace period, preStop, readiness, drain period) fits that behaviour.
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

  /**
   * The pod spec the operator writes fits what the runtime does. The operator's Deployment (its
   * golden file, which GatewayReconcilerTest keeps equal to what the operator builds): the
   * readiness probe is the endpoint that drops at SIGTERM, and the preStop pause, the drain period
   * it gives the runtime ({@code SBC_DRAIN_SECONDS}) and a margin fit in the grace period. The
   * runtime, given a drain period through that variable (3 s here, the golden's being minutes),
   * stops when it runs out even with a call in progress, so it is gone before the kubelet's
   * SIGKILL.
   */
  @Test
  @SuppressWarnings("unchecked")
  void theOperatorsPodSpecFitsTheRuntimesDrain() throws Exception {
    SbcSupport.assumeSbc("draining");
    java.nio.file.Path golden =
        SystemTestBase.sbcHome().resolve("operator/src/test/resources/golden/edge-deployment.yaml");
    java.util.Map<String, Object> deployment =
        new org.yaml.snakeyaml.Yaml().load(java.nio.file.Files.readString(golden));
    java.util.Map<String, Object> pod = path(deployment, "spec", "template", "spec");
    int grace = ((Number) pod.get("terminationGracePeriodSeconds")).intValue();
    java.util.Map<String, Object> sbcContainer =
        ((java.util.List<java.util.Map<String, Object>>) pod.get("containers"))
            .stream()
                .filter(c -> "sbc".equals(c.get("name")))
                .findFirst()
                .orElseThrow();
    String drainEnv =
        ((java.util.List<java.util.Map<String, Object>>) sbcContainer.get("env"))
            .stream()
                .filter(e -> "SBC_DRAIN_SECONDS".equals(e.get("name")))
                .map(e -> (String) e.get("value"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no SBC_DRAIN_SECONDS in " + golden));
    java.util.List<String> preStop =
        (java.util.List<String>) path(sbcContainer, "lifecycle", "preStop", "exec").get("command");
    String sleep = preStop.get(preStop.size() - 1);
    assertTrue(sleep.startsWith("sleep "), "the preStop pauses: " + preStop);
    int pause = Integer.parseInt(sleep.substring("sleep ".length()).trim());
    int drain = Integer.parseInt(drainEnv);
    assertTrue(drain > 0, "a drain period: " + drain);
    assertEquals(
        grace - pause - 5,
        drain,
        "preStop pause + drain + 5 s margin = the grace period (" + grace + " s)");
    String readiness = (String) path(sbcContainer, "readinessProbe", "httpGet").get("path");

    // The runtime honours that variable: SIGTERM with a call in progress, out after the period.
    int backend = backendPort(0);
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(backend).traceMessages(false), "uas");
    int port = proxyPort();
    int drainSeconds = 3;
    proxy =
        track(
            new ProxyUnderTest.Sbc(workDir)
                .environment(java.util.Map.of("SBC_DRAIN_SECONDS", String.valueOf(drainSeconds))));
    proxy.start(SbcConfig.udp(port).backend(backend));
    Management m = proxy.management();
    track(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort())
            .calls(1)
            .args("-d", "60000")
            .traceMessages(false)
            .timeout(Duration.ofSeconds(90))
            .start(workDir, "uac"));
    m.awaitStatus(s -> s.path("calls").path("active").asInt() == 1, Duration.ofSeconds(10))
        .orElseThrow(() -> new AssertionError("the call did not connect" + context()));
    assertTrue(awaitHttp(m, readiness, 200, Duration.ofSeconds(3)), readiness + " is ready first");
    ProcessHandle sbc = ProcessHandle.of(proxy.process.pid()).orElseThrow();
    long signalled = System.nanoTime();
    assertTrue(sbc.destroy(), "SIGTERM could not be sent");
    assertTrue(
        awaitHttp(m, readiness, 503, Duration.ofSeconds(3)),
        "the operator's readiness probe " + readiness + " drops at SIGTERM" + context());
    assertTrue(
        sbc.onExit()
                .toCompletableFuture()
                .completeOnTimeout(null, drainSeconds + 10, java.util.concurrent.TimeUnit.SECONDS)
                .get()
            != null,
        "the SBC did not stop when its drain period ran out" + context());
    long exitedMillis = (System.nanoTime() - signalled) / 1_000_000;
    assertTrue(
        exitedMillis >= drainSeconds * 1000L - 200,
        "it waited for the call for the drain period: out after " + exitedMillis + " ms");
    String log = proxy.logText();
    assertTrue(
        log.contains("in " + drainSeconds + " s"), "the drain period it used is logged:\n" + log);
    assertTrue(
        log.contains("drain period over: stopping with 1 calls in progress"),
        "it stopped with the call in progress:\n" + proxy.process.logTail(20));
    System.out.println(
        "DrainTest: golden grace "
            + grace
            + " s = preStop "
            + pause
            + " + drain "
            + drain
            + " + 5; runtime with SBC_DRAIN_SECONDS="
            + drainSeconds
            + " out "
            + exitedMillis
            + " ms after SIGTERM");
  }

  @SuppressWarnings("unchecked")
  private static java.util.Map<String, Object> path(java.util.Map<String, Object> m, String... keys) {
    java.util.Map<String, Object> at = m;
    for (String k : keys) {
      at = (java.util.Map<String, Object>) at.get(k);
      if (at == null) {
        throw new AssertionError("no " + String.join(".", keys) + " in the operator's Deployment");
      }
    }
    return at;
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
