package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A trunk named only by its domain (RFC 3263), resolved through a real name server (dnsmasq with
 * NAPTR, SRV and A records): calls reach the SRV target of lowest priority and fail over to the
 * next when it answers 503 or stays silent; the cache, not the name server, answers almost every
 * lookup; a name that does not resolve gets the caller a clear final response at once, and the log
 * names it once. Every test also fails when the SBC blocked an event loop (SystemTestBase, with
 * quarkus.vertx.max-event-loop-execute-time=50ms).
 */
class DnsTest extends SystemTestBase {
  static final String TRUNK = "trunk.test";

  /** dnsmasq serving trunk.test: NAPTR to UDP SRV; sip1 (priority 10) and sip2 (priority 20). */
  Dnsmasq trunkZone(int port1, int port2) throws Exception {
    return track(new Dnsmasq()
        .naptr(TRUNK, 10, 10, "SIP+D2U", "_sip._udp." + TRUNK)
        .srv("_sip._udp." + TRUNK, "sip1." + TRUNK, port1, 10, 0)
        .srv("_sip._udp." + TRUNK, "sip2." + TRUNK, port2, 20, 0)
        .host("sip1." + TRUNK, "127.0.0.1")
        .host("sip2." + TRUNK, "127.0.0.1")
        .ttl(60))
        .start(workDir);
  }

  /**
   * 50 calls to sip:trunk.test: the first SRV target (priority 10) answers every INVITE 503 and
   * sees all of them; the second (priority 20) completes every call; dnsmasq is asked a handful of
   * times, not once per call.
   */
  @Test
  void trunkNamedByItsDomainFailsOverFromTheFirstSrvTargetOn503() throws Exception {
    SbcSupport.assumeSbc("DNS next hops");
    int calls = 50;
    int p1 = backendPort(0);
    int p2 = backendPort(1);
    Dnsmasq dns = trunkZone(p1, p2);
    Sipp.Instance uas503 =
        startUas(Sipp.uas(Sipp.scenario("uas_503.xml")).port(p1).calls(calls), "uas-503");
    Sipp.Instance uas200 =
        startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(p2).calls(calls), "uas-200");
    startProxy(SbcConfig.udp(proxyPort()).dnsServer(dns.address()).backend("sip:" + TRUNK));

    Sipp.Result uac = runUac(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort()).calls(calls).rate(20).limit(calls).args("-d", "100")
            .timeout(Duration.ofSeconds(60)),
        "uac", Duration.ofSeconds(90));
    assertTrue(uac.allSucceeded(calls),
        "every call should succeed on the second SRV target: " + uac + context());
    Sipp.Result first = uas503.awaitResult(Duration.ofSeconds(20));
    assertTrue(first.allSucceeded(calls),
        "the priority-10 target should have answered (503) every INVITE first: " + first
            + context());
    Sipp.Result second = uas200.awaitResult(Duration.ofSeconds(20));
    assertTrue(second.allSucceeded(calls),
        "the priority-20 target should have completed every call: " + second + context());
    assertTrue(dns.queries("NAPTR", TRUNK) >= 1, "the NAPTR record was asked for" + context());
    assertTrue(dns.queries() <= 12,
        "answers are cached for their TTL: dnsmasq got " + dns.queries() + " queries for "
            + calls + " calls" + context());
  }

  /**
   * The first SRV target never answers (T1 100 ms: timer B fires after 6.4 s): each call goes on to
   * the second target within its transaction, and succeeds.
   */
  @Test
  void aSilentFirstSrvTargetFailsOverToTheNext() throws Exception {
    SbcSupport.assumeSbc("DNS next hops");
    int calls = 10;
    int p1 = backendPort(0);
    int p2 = backendPort(1);
    Dnsmasq dns = trunkZone(p1, p2);
    UdpTrap silent = track(new UdpTrap(p1));
    Sipp.Instance uas200 =
        startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(p2).calls(calls), "uas-200");
    startProxy(SbcConfig.udp(proxyPort()).t1(100).dnsServer(dns.address())
        .backend("sip:" + TRUNK));

    Sipp.Result uac = runUac(
        Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
            .port(uacPort()).calls(calls).rate(5).limit(calls).args("-d", "100")
            .timeout(Duration.ofSeconds(60)),
        "uac", Duration.ofSeconds(90));
    assertTrue(uac.allSucceeded(calls),
        "every call should succeed on the second SRV target: " + uac + context());
    long offered = silent.calls().stream().filter(r -> r.method().equals("INVITE"))
        .map(UdpTrap.Received::callId).distinct().count();
    assertEquals(calls, offered,
        "every call was offered to the silent priority-10 target first" + context());
    Sipp.Result second = uas200.awaitResult(Duration.ofSeconds(20));
    assertTrue(second.allSucceeded(calls), "the second target completed every call: " + second
        + context());
  }

  /**
   * A route to a name without records: every call gets "500 Server Internal Error (next hop not
   * resolved)" at once (the caller does not wait for a timer), and the log names the name once for
   * all the calls (not once per call).
   */
  @Test
  void anUnresolvableNameGetsAClearFinalResponseAndOneLogLine() throws Exception {
    SbcSupport.assumeSbc("DNS next hops");
    int calls = 20;
    Dnsmasq dns = trunkZone(backendPort(0), backendPort(1));
    startProxy(SbcConfig.udp(proxyPort()).dnsServer(dns.address()).backend("sip:nowhere.test"));

    long start = System.nanoTime();
    Sipp.Result uac = runUac(
        Sipp.uac(Sipp.scenario("uac_500.xml"), proxy.address())
            .port(uacPort()).calls(calls).rate(10).limit(calls).timeout(Duration.ofSeconds(30)),
        "uac", Duration.ofSeconds(40));
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    assertTrue(uac.allSucceeded(calls), "every call should be answered 500: " + uac + context());
    assertTrue(seconds < 10, "answered at once, not after a timeout: took " + seconds + " s");
    List<String> finals = SippMessages.read(workDir.resolve("uac")).stream()
        .filter(m -> m.received() && m.firstLine().startsWith("SIP/2.0 5"))
        .map(SippMessages.Message::firstLine).distinct().toList();
    assertEquals(List.of("SIP/2.0 500 Server Internal Error (next hop not resolved)"), finals,
        context());
    String logged = SbcSupport.grep(proxy, "next hop sip:nowhere.test not resolved", 10);
    assertEquals(1, logged.lines().count(), "one log line for the name, not one per call:\n"
        + logged + context());
    assertTrue(logged.contains("nowhere.test"), logged);
  }
}
