package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** (b) CANCEL of a ringing call (RFC 3261 9, 16.10). */
class CancelTest extends SystemTestBase {

  /**
   * The callee rings (180); the caller cancels: it gets 200 for the CANCEL and 487 for the INVITE,
   * and the callee sees the CANCEL, answers it and ends the INVITE with 487 (acknowledged).
   */
  @Test
  void cancelOfARingingCallEndsWith487() throws Exception {
    int calls = 20;
    int backend = backendPort(0);
    Sipp.Instance uas =
        startUas(Sipp.uas(Sipp.scenario("uas_cancel.xml")).port(backend).calls(calls), "uas");
    startProxy(SbcConfig.udp(proxyPort()).backend(backend));

    Sipp.Result uac = runUac(
        Sipp.uac(Sipp.scenario("uac_cancel.xml"), proxy.address())
            .port(uacPort()).calls(calls).rate(10).limit(calls).timeout(Duration.ofSeconds(60)),
        "uac", Duration.ofSeconds(90));
    assertTrue(uac.allSucceeded(calls),
        "the caller expected 180, 200 (CANCEL), 487 on each of " + calls + " calls: " + uac + context());

    Sipp.Result callee = uas.awaitResult(Duration.ofSeconds(20));
    assertTrue(callee.allSucceeded(calls),
        "the callee expected INVITE, CANCEL, ACK on each of " + calls + " calls: " + callee + context());
  }
}
