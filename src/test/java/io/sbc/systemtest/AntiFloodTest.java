package io.sbc.systemtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Anti-flood and scanners (issue 14) with real peers: SIPp floods the SBC from 127.0.0.5 while
 * another SIPp on 127.0.0.2 makes calls through it; the flood is cut within its burst and banned,
 * and every call succeeds. A scanner's OPTIONS (User-Agent friendly-scanner) gets no answer at all.
 * What is checked is what an operator sees: /sbc/status and /q/metrics.
 */
class AntiFloodTest extends SystemTestBase {
  static final String CALLER = "127.0.0.2";
  static final String FLOODER = "127.0.0.5";
  static final int RATE = 200;
  static final int BURST = 400;

  @Test
  void aFloodFromOneSourceIsCutWhileAnotherSourcesCallsAllSucceed() throws Exception {
    SbcSupport.assumeSbc("anti-flood");
    int calls = Integer.getInteger("sbc.antiflood.calls", 300);
    int floodRate = Integer.getInteger("sbc.antiflood.floodRate", 2000);
    int floodSeconds = calls / 20 + 2;
    int backend = backendPort(0);
    startUas(Sipp.uas(Sipp.sharedScenario("uas_rr.xml")).port(backend).traceMessages(false), "uas");
    int port = proxyPort();
    startProxy(
        SbcConfig.udp(port)
            .backend(backend)
            .gatewaySpec(
                "antiFlood: {requestsPerSecond: %d, burst: %d, banSeconds: %d}"
                    .formatted(RATE, BURST, floodSeconds + 60)));
    Management m = proxy.management();
    long requestsBefore = m.status().path("messages").path("requests").asLong();

    // The flood: OPTIONS as fast as SIPp sends them at this rate, for longer than the calls last.
    Sipp.Instance flood =
        track(
            Sipp.uac(Sipp.scenario("flood_options.xml"), proxy.address())
                .localIp(FLOODER)
                .port(uacPort())
                .rate(floodRate)
                .calls(floodRate * floodSeconds)
                .traceMessages(false)
                .start(workDir, "flood"));
    Thread.sleep(500);
    assertTrue(flood.isAlive(), "the flood SIPp exited at once:\n" + flood.result(null));

    // Calls at 20 a second from another source, during the flood: every one succeeds.
    Sipp.Result uac =
        runUac(
            Sipp.uac(Sipp.sharedScenario("uac_rr.xml"), proxy.address())
                .localIp(CALLER)
                .port(uacPort())
                .calls(calls)
                .rate(20)
                .traceMessages(false)
                .timeout(Duration.ofSeconds(calls / 20 + 30)),
            "caller",
            Duration.ofSeconds(calls / 20 + 40));
    Sipp.Result flooded = flood.result(flood.awaitExit(Duration.ofSeconds(30)));
    assertTrue(uac.allSucceeded(calls), "calls from " + CALLER + " during the flood: " + uac + context());

    JsonNode status = m.status();
    JsonNode dropped = status.path("messages").path("droppedByReason");
    long refused = dropped.path("rate_limited").asLong() + dropped.path("source_banned").asLong();
    long heard = status.path("messages").path("requests").asLong() - requestsBefore;
    // What reached the SIP layers: each call's INVITE, ACK and BYE (and a few retransmissions),
    // and of the flood at most its burst plus what came back before the ban.
    long legitimate = 3L * calls;
    System.out.println(
        "AntiFloodTest: flood sent "
            + flooded.created()
            + " OPTIONS, SBC refused "
            + refused
            + ", requests heard "
            + heard
            + " (calls "
            + legitimate
            + "); "
            + uac.summary());
    assertTrue(
        heard <= legitimate + legitimate / 20 + BURST + RATE,
        "the flood was not cut: " + heard + " requests reached the proxy for " + legitimate
            + " of calls; " + status + context());
    assertTrue(
        refused >= flooded.created() / 2,
        "the SBC refused " + refused + " of " + flooded.created() + " flood requests; " + status);
    assertEquals(1, status.path("sources").path("bans").asLong(), "one ban: " + status);
    assertTrue(status.path("sources").path("bannedNow").asLong() == 1, status.toString());

    Scrape metrics = m.metrics();
    assertEquals(
        dropped.path("source_banned").asDouble(),
        metrics.value("sbc_sip_dropped_total", "reason", "source_banned"),
        refused * 0.01 + 1);
    assertEquals(1.0, metrics.value("sbc_sip_source_bans_total"));
    assertEquals(1.0, metrics.value("sbc_sip_sources_banned"));
  }

  @Test
  void aScannerGetsNoAnswer() throws Exception {
    SbcSupport.assumeSbc("scanner blocking");
    int backend = backendPort(0);
    int port = proxyPort();
    startProxy(SbcConfig.udp(port).backend(backend)); // scanners are blocked by default
    long repliesBefore = proxy.management().status().path("messages").path("localReplies").asLong();
    Sipp.Result scan =
        runUac(
            Sipp.uac(Sipp.scenario("scan_options.xml"), proxy.address())
                .localIp(FLOODER)
                .port(uacPort())
                .calls(3)
                .rate(10)
                .args("-recv_timeout", "2000")
                .traceMessages(true)
                .timeout(Duration.ofSeconds(20)),
            "scanner",
            Duration.ofSeconds(30));
    assertEquals(0, scan.successful(), "the scanner got an answer: " + scan);
    assertEquals(3, scan.failed(), "every probe of the scanner times out: " + scan);
    JsonNode status = proxy.management().status();
    long scanners = status.path("messages").path("droppedByReason").path("scanner").asLong();
    // Each OPTIONS and its retransmissions within the receive timeout.
    assertTrue(scanners >= 3, "scanner requests dropped: " + scanners + "; " + status);
    assertEquals(
        repliesBefore,
        status.path("messages").path("localReplies").asLong(),
        "the SBC answered the scanner: " + status);
    // The same OPTIONS without the scanner's User-Agent is answered: it was the User-Agent.
    assertTrue(
        SipOptions.awaitOk("127.0.0.1", port, Duration.ofSeconds(2), () -> true),
        "OPTIONS from an ordinary client");
  }
}
