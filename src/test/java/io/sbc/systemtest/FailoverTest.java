package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Serial forking: which final responses move a call on to the next backend (RFC 3261 16.7). */
class FailoverTest extends SystemTestBase {

  /**
   * (c) The first backend answers every INVITE with 503, the second with 200: every call still
   * succeeds, and every call was offered to the first backend first (it saw all of them).
   */
  @Test
  void failsOverToTheNextBackendOn503() throws Exception {
    int calls = 50;
    int b1 = backendPort(0);
    int b2 = backendPort(1);
    Sipp.Instance uas503 =
        startUas(Sipp.uas(Sipp.scenario("uas_503.xml")).port(b1).calls(calls), "uas-503");
    Sipp.Instance uas200 =
        startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(b2).calls(calls), "uas-200");
    startProxy(SbcConfig.udp(proxyPort()).backend(b1).backend(b2));

    Sipp.Result uac = runUac(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort()).calls(calls).rate(20).limit(calls).args("-d", "100")
            .timeout(Duration.ofSeconds(60)),
        "uac", Duration.ofSeconds(90));
    assertTrue(uac.allSucceeded(calls),
        "every call should succeed on the second backend: " + uac + context());

    Sipp.Result first = uas503.awaitResult(Duration.ofSeconds(20));
    assertTrue(first.allSucceeded(calls),
        "the first backend should have answered (503) and received the ACK of every call: "
            + first + context());
    Sipp.Result second = uas200.awaitResult(Duration.ofSeconds(20));
    assertTrue(second.allSucceeded(calls),
        "the second backend should have completed every call: " + second + context());
  }

  /**
   * (d) A backend answers 486 Busy Here: the caller gets the 486 (acknowledged), and the call is
   * not offered to the next backend (only 5xx, 408 and timeouts fail over).
   */
  @Test
  void passes486BackToTheCaller() throws Exception {
    int calls = 20;
    int b1 = backendPort(0);
    Sipp.Instance uas486 =
        startUas(Sipp.uas(Sipp.scenario("uas_486.xml")).port(b1).calls(calls), "uas-486");
    boolean twoBackends = ProxyUnderTest.externalTarget() == null;
    UdpTrap second = null;
    SbcConfig config = SbcConfig.udp(proxyPort()).backend(b1);
    if (twoBackends) {
      int b2 = backendPort(1);
      second = track(new UdpTrap(b2));
      config.backend(b2);
    }
    startProxy(config);

    Sipp.Result uac = runUac(
        Sipp.uac(Sipp.scenario("uac_486.xml"), proxy.address())
            .port(uacPort()).calls(calls).rate(10).limit(calls).timeout(Duration.ofSeconds(60)),
        "uac", Duration.ofSeconds(90));
    assertTrue(uac.allSucceeded(calls), "the caller expected 486 on every call: " + uac + context());

    Sipp.Result busy = uas486.awaitResult(Duration.ofSeconds(20));
    assertTrue(busy.allSucceeded(calls),
        "the backend should have answered 486 and received the ACK of every call: " + busy + context());
    if (second != null) {
      List<UdpTrap.Received> leaked = second.calls();
      assertEquals(List.of(), leaked, "a 486 must not fail over to the next backend" + context());
    }
  }
}
