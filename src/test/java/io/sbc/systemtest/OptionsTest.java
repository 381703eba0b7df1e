package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** (g) The SBC answers OPTIONS addressed to itself (no user part) with 200, locally. */
class OptionsTest extends SystemTestBase {

  @Test
  void answersOptionsWith200() throws Exception {
    int backend = backendPort(0);
    UdpTrap trap = track(new UdpTrap(backend));
    startProxy(SbcConfig.udp(proxyPort()).backend(backend));

    SipOptions.Exchange x = SipOptions.send(proxy.host(), proxy.port(), Duration.ofSeconds(5));
    SipOptions.Response r = x.response();
    assertNotNull(r, "no final response to OPTIONS sip:" + proxy.address() + context());
    assertEquals(200, r.status(), "status line " + r.statusLine() + context());
    assertEquals(x.request().callId(), r.header("call-id"), "Call-ID echoed");
    assertEquals("1 OPTIONS", r.header("cseq"), "CSeq echoed");
    assertNotNull(r.header("via"), "Via echoed:\n" + r.raw());
    assertTrue(r.header("via").contains("branch=" + x.request().branch()),
        "the Via of the request (with its branch) is echoed:\n" + r.raw());
    assertTrue(r.header("from").contains("tag=" + x.request().fromTag()), "From tag echoed");
    assertTrue(r.header("to") != null && r.header("to").contains("tag="),
        "a final response carries a To tag (RFC 3261 8.2.6.2):\n" + r.raw());

    Thread.sleep(300);
    assertTrue(trap.all().stream().noneMatch(m -> x.request().callId().equals(m.callId())),
        "an OPTIONS addressed to the proxy itself must not be forwarded to the backend: "
            + trap.all());
  }
}
