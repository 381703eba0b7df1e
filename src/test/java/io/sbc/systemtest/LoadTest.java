package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    if (ProxyUnderTest.target().equals("sbc")) {
      // The SBC logs, on its way out, how many datagrams each UDP socket of a listener read:
      // with a socket per event loop (SO_REUSEPORT), a socket per call must reach every one.
      proxy.close();
      String log = proxy.logText();
      String line = log.lines().filter(l -> l.contains("datagrams per socket: [")).findFirst()
          .orElseThrow(() -> new AssertionError("no per-socket counts in the log" + context()));
      String[] counts = line.substring(line.lastIndexOf('[') + 1, line.lastIndexOf(']')).split(",");
      // The startup line "N event loops, native epoll transport" (or "NIO transport"). The
      // runtime ships epoll for Linux x86_64: there it must be in use, or the spreading checked
      // below would be a single socket's count and prove nothing.
      String transport = log.lines().filter(l -> l.contains(" event loops, ")).findFirst()
          .orElseThrow(() -> new AssertionError("no transport line in the log" + context()));
      boolean nativeTransport = transport.contains("native epoll transport");
      String os = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
      if (os.equalsIgnoreCase("Linux/amd64") || os.equalsIgnoreCase("Linux/x86_64")) {
        assertTrue(nativeTransport, "the SBC fell back to NIO on " + os + ": " + transport + context());
      }
      if (nativeTransport) {
        assertTrue(counts.length > 1, "native epoll must bind a UDP socket per event loop: " + line);
      } else {
        assertEquals(1, counts.length, "NIO binds one UDP socket: " + line);
      }
      long total = 0;
      for (String c : counts) {
        long n = Long.parseLong(c.trim());
        total += n;
        assertTrue(n > 0, "a UDP socket received no traffic: " + line);
      }
      // Every call is at least INVITE, ACK, BYE from the caller and two responses from the callee.
      assertTrue(total >= 5L * calls, "datagram counts below the traffic sent: " + line);
    }
  }
}
