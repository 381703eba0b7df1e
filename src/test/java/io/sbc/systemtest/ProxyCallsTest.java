package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Basic calls (INVITE, 200, ACK, BYE, 200) through the record-routing proxy. */
class ProxyCallsTest extends SystemTestBase {

  /** (a) 200 calls at 50/s from SIPp's uac_rr to uas_rr: every call succeeds. */
  @Test
  void callsThroughTheProxySucceed() throws Exception {
    int calls = 200;
    int backend = backendPort(0);
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(backend), "uas");
    startProxy(SbcConfig.udp(proxyPort()).backend(backend));

    Sipp.Result uac = runUac(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort()).calls(calls).rate(50).limit(200).args("-d", "100")
            .timeout(Duration.ofSeconds(60)),
        "uac", Duration.ofSeconds(90));

    assertTrue(uac.allSucceeded(calls), "expected " + calls + " successful calls: " + uac + context());
  }

  /** (e) A caller over TCP (SIPp -t t1), a callee over UDP: the proxy bridges the transports. */
  @Test
  void tcpCallerReachesUdpCallee() throws Exception {
    int calls = 50;
    int backend = backendPort(0);
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(backend), "uas");
    int port = proxyPort();
    startProxy(SbcConfig.gateway("systemtest").udpListener(port).tcpListener(port).backend(backend));

    Sipp.Result uac = runUac(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort()).transport("t1").calls(calls).rate(10).limit(50).args("-d", "100")
            .timeout(Duration.ofSeconds(60)),
        "uac-tcp", Duration.ofSeconds(90));

    assertTrue(uac.allSucceeded(calls),
        "expected " + calls + " successful TCP-to-UDP calls: " + uac + context());
  }
}
