package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Media anchored on a real RTPengine (issue 10), with real peers: a SIPp caller on 127.0.0.2 and a
 * SIPp callee on 127.0.0.3 exchange SDP through the SBC (topology hiding on), RTPengine relays on
 * 127.0.0.6. The SDP each side receives names only RTPengine (its c= and o= lines); RTPengine holds
 * the calls while they are up and none after their BYE, after a 486 and after a CANCEL.
 */
class MediaTest extends SystemTestBase {
  static final String CALLER = EdgeTest.CALLER;
  static final String CALLEE = EdgeTest.CALLEE;
  static final String MEDIA = "127.0.0.6";

  private RtpEngine rtpengine;
  private int port;
  private int calleePort;

  private void start() throws Exception {
    rtpengine = track(RtpEngine.start(workDir, "rtpengine", MEDIA));
    port = EdgeTest.freeUdpPort("127.0.0.1");
    calleePort = EdgeTest.freeUdpPort(CALLEE);
    String yaml =
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: media
        spec:
          listeners:
            - {name: udp, protocol: SIP-UDP, address: 127.0.0.1, port: %d}
          sealing: {secret: "the media test's shared secret"}
          topologyHiding: {enabled: true, callId: true}
          media:
            mode: External
            instances: [{address: "%s"}]
            anchoring: {ice: Remove}
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: to-callee
        spec:
          parentRefs: [{name: media}]
          rules:
            - allowRelay: true
              backendRefs: [{uri: "sip:%s:%d"}]
        """
            .formatted(port, rtpengine.ng(), CALLEE, calleePort);
    track(SbcProcess.start(workDir, "sbc", yaml, "127.0.0.1", port));
  }

  /** Every c= and o= line names RTPengine; nothing names {@code other}. */
  static void assertSdpNamesOnlyRtpEngine(List<String> lines, String other, String who) {
    int seen = 0;
    for (String line : lines) {
      if (line.startsWith("c=") || line.startsWith("o=")) {
        seen++;
        assertTrue(line.trim().endsWith(" " + MEDIA), who + " got an SDP line not naming RTPengine: " + line);
      }
      assertFalse(
          (line.startsWith("c=") || line.startsWith("o=") || line.startsWith("a=") || line.startsWith("m="))
              && line.contains(other),
          who + " saw " + other + ": " + line);
    }
    assertTrue(seen >= 2, who + " received no SDP");
  }

  @Test
  void eachSideSeesOnlyRtpEngineWhichHoldsTheCallsUntilTheirBye() throws Exception {
    start();
    Sipp.Instance uas =
        startUas(
            Sipp.uas(Sipp.scenario("uas_sdp.xml"))
                .localIp(CALLEE)
                .port(calleePort)
                .calls(2)
                .traceMessages(true),
            "callee");
    Sipp.Instance uac =
        track(
            Sipp.uac(Sipp.scenario("uac_sdp_bye.xml"), "127.0.0.1:" + port)
                .localIp(CALLER)
                .port(EdgeTest.freeUdpPort(CALLER))
                .calls(2)
                .rate(2)
                .traceMessages(true)
                .timeout(Duration.ofSeconds(30))
                .start(workDir, "caller"));
    // While the calls are up (each holds 1.5 s), RTPengine lists them.
    int most = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < deadline && uac.isAlive()) {
      most = Math.max(most, rtpengine.sessions().size());
      if (most == 2) {
        break;
      }
      Thread.sleep(100);
    }
    assertEquals(2, most, "RTPengine held both calls while up\n" + rtpengine.logTail());
    Sipp.Result caller = uac.awaitResult(Duration.ofSeconds(30));
    assertTrue(caller.allSucceeded(2), "the caller's calls: " + caller);
    Sipp.Result callee = uas.result(uas.awaitExit(Duration.ofSeconds(20)));
    assertTrue(callee.allSucceeded(2), "the callee's side: " + callee);
    assertEquals(List.of(), rtpengine.awaitEmpty(Duration.ofSeconds(5)), "calls left after BYE");
    assertSdpNamesOnlyRtpEngine(
        EdgeTest.receivedLines(workDir.resolve("callee"), "the callee"), CALLER, "the callee");
    assertSdpNamesOnlyRtpEngine(
        EdgeTest.receivedLines(workDir.resolve("caller"), "the caller"), CALLEE, "the caller");
  }

  /**
   * Two RTPengines share the calls; one is killed while SIPp places 30 calls (5 a second, each
   * holding 1.5 s). Every call succeeds: an offer that finds the dead instance goes to the other
   * (one timeout), the later ones go there at once, and the calls it held end with their BYE. The
   * survivor holds nothing once they are over.
   */
  @Test
  void anInstanceKilledDuringARunCostsNoCall() throws Exception {
    RtpEngine e1 = track(RtpEngine.start(workDir, "rtpengine-1", MEDIA));
    RtpEngine e2 = track(RtpEngine.start(workDir, "rtpengine-2", MEDIA));
    port = EdgeTest.freeUdpPort("127.0.0.1");
    calleePort = EdgeTest.freeUdpPort(CALLEE);
    String yaml =
        """
        apiVersion: sbc.io/v1alpha1
        kind: SipGateway
        metadata:
          name: media
        spec:
          listeners:
            - {name: udp, protocol: SIP-UDP, address: 127.0.0.1, port: %d}
          sealing: {secret: "the media test's shared secret"}
          topologyHiding: {enabled: true, callId: true}
          media:
            mode: External
            instances: [{address: "%s"}, {address: "%s"}]
            timeoutMillis: 200
            retries: 1
            anchoring: {ice: Remove}
        ---
        apiVersion: sbc.io/v1alpha1
        kind: SipRoute
        metadata:
          name: to-callee
        spec:
          parentRefs: [{name: media}]
          rules:
            - allowRelay: true
              backendRefs: [{uri: "sip:%s:%d"}]
        """
            .formatted(port, e1.ng(), e2.ng(), CALLEE, calleePort);
    track(SbcProcess.start(workDir, "sbc", yaml, "127.0.0.1", port));
    Sipp.Instance uas =
        startUas(
            Sipp.uas(Sipp.scenario("uas_sdp.xml")).localIp(CALLEE).port(calleePort).calls(30),
            "callee");
    Sipp.Instance uac =
        track(
            Sipp.uac(Sipp.scenario("uac_sdp_bye.xml"), "127.0.0.1:" + port)
                .localIp(CALLER)
                .port(EdgeTest.freeUdpPort(CALLER))
                .calls(30)
                .rate(5)
                .timeout(Duration.ofSeconds(60))
                .start(workDir, "caller"));
    // Kill e1 once it holds calls.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (e1.sessions().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertFalse(e1.sessions().isEmpty(), "e1 took calls before it was killed");
    e1.close();
    Sipp.Result caller = uac.awaitResult(Duration.ofSeconds(60));
    assertTrue(caller.allSucceeded(30), "the caller's calls: " + caller);
    Sipp.Result callee = uas.result(uas.awaitExit(Duration.ofSeconds(20)));
    assertTrue(callee.allSucceeded(30), "the callee's side: " + callee);
    assertEquals(List.of(), e2.awaitEmpty(Duration.ofSeconds(5)), "calls left on e2");
  }

  @Test
  void aBusyCallIsNotLeftInRtpEngine() throws Exception {
    start();
    Sipp.Instance uas =
        startUas(
            Sipp.uas(Sipp.scenario("uas_486.xml")).localIp(CALLEE).port(calleePort).calls(2),
            "callee");
    Sipp.Result caller =
        runUac(
            Sipp.uac(Sipp.scenario("uac_486.xml"), "127.0.0.1:" + port)
                .localIp(CALLER)
                .port(EdgeTest.freeUdpPort(CALLER))
                .calls(2)
                .rate(2)
                .timeout(Duration.ofSeconds(30)),
            "caller",
            Duration.ofSeconds(40));
    assertTrue(caller.allSucceeded(2), "the callers got their 486: " + caller);
    uas.awaitExit(Duration.ofSeconds(10));
    assertEquals(List.of(), rtpengine.awaitEmpty(Duration.ofSeconds(5)), "calls left after 486");
  }

  @Test
  void aCancelledCallIsNotLeftInRtpEngine() throws Exception {
    start();
    Sipp.Instance uas =
        startUas(
            Sipp.uas(Sipp.scenario("uas_cancel.xml")).localIp(CALLEE).port(calleePort).calls(2),
            "callee");
    Sipp.Result caller =
        runUac(
            Sipp.uac(Sipp.scenario("uac_cancel.xml"), "127.0.0.1:" + port)
                .localIp(CALLER)
                .port(EdgeTest.freeUdpPort(CALLER))
                .calls(2)
                .rate(2)
                .timeout(Duration.ofSeconds(30)),
            "caller",
            Duration.ofSeconds(40));
    assertTrue(caller.allSucceeded(2), "the callers cancelled: " + caller);
    uas.awaitExit(Duration.ofSeconds(10));
    assertEquals(
        List.of(), rtpengine.awaitEmpty(Duration.ofSeconds(5)), "calls left after CANCEL");
  }
}
