package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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

    if (ProxyUnderTest.target().equals("sbc")) {
      // /sbc/status counts the datagrams each UDP socket of a listener read: with a socket per
      // event loop (SO_REUSEPORT), a socket per call must reach every one.
      JsonNode status = proxy.management().status();
      JsonNode udp = status.path("udp").path(0);
      String line = "transport " + status.path("transport") + ", " + status.path("eventLoops")
          + " event loops, listener " + udp;
      JsonNode counts = udp.path("datagramsPerSocket");
      assertTrue(counts.isArray() && counts.size() > 0,
          "no per-socket counts in /sbc/status: " + status + context());
      // The runtime ships epoll for Linux x86_64: there it must be in use, or the spreading checked
      // below would be a single socket's count and prove nothing.
      boolean nativeTransport = status.path("transport").asText().equals("epoll");
      String os = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
      if (os.equalsIgnoreCase("Linux/amd64") || os.equalsIgnoreCase("Linux/x86_64")) {
        assertTrue(nativeTransport, "the SBC fell back to NIO on " + os + ": " + line + context());
      }
      if (nativeTransport) {
        assertEquals(status.path("eventLoops").asInt(), counts.size(),
            "native epoll must bind a UDP socket per event loop: " + line);
        assertTrue(counts.size() > 1, "native epoll with one event loop proves nothing: " + line);
      } else {
        assertEquals(1, counts.size(), "NIO binds one UDP socket: " + line);
      }
      long total = 0;
      for (JsonNode c : counts) {
        long n = c.asLong();
        total += n;
        assertTrue(n > 0, "a UDP socket received no traffic: " + line);
      }
      // Every call is at least INVITE, ACK, BYE from the caller and two responses from the callee.
      assertTrue(total >= 5L * calls, "datagram counts below the traffic sent: " + line);
    }
  }
}
