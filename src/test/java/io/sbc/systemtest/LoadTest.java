package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** (f) Sustained load with one UDP socket per call (SIPp -t un): no call may fail. */
class LoadTest extends SystemTestBase {

  @Test
  void twoHundredCallsPerSecondForTenSecondsWithASocketPerCall() throws Exception {
    int rate = Integer.getInteger("sbc.load.rate", 200);
    int seconds = Integer.getInteger("sbc.load.seconds", 10);
    int calls = rate * seconds;
    int backend = backendPort(0);
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(backend).traceMessages(false), "uas");
    startProxy(SbcConfig.udp(proxyPort()).backend(backend));

    Sipp.Result uac = runUac(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort()).transport("un").calls(calls).rate(rate).limit(calls)
            .args("-d", "200").traceMessages(false)
            .timeout(Duration.ofSeconds(seconds + 60)),
        "uac-load", Duration.ofSeconds(seconds + 90));

    assertTrue(uac.allSucceeded(calls),
        "expected " + calls + " successful calls at " + rate + "/s, none failed: " + uac + context());
  }
}
